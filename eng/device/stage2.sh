# Sourced by eng/device/run.sh (after results.sh): stage 2, the vimdense CLI from the bundle that
# make-bundle.sh packs, run against the machine's libtorch and the native library stage 1 built.

# run_stage2 BUNDLE LIBTORCH_DIR DEVICE NATIVE_LIBRARY WORK_DIR
run_stage2() {
  local bundle=$1 libtorch=$2 device=$3 native=$4 work=$5
  local root=$work/bundle
  mkdir -p "$root"
  step "unpack the bundle ($(du -m "$bundle" | cut -f1) MiB)" 60 tar -C "$root" -xJf "$bundle"
  [ -x "$root/app/vimdense" ] || { echo "The bundle has no app/vimdense: stage 2 skipped." >> "$results_file"; return; }
  echo "Bundle built from: $(cat "$root/SOURCE" 2>/dev/null). libtorch: $libtorch" >> "$results_file"; echo >> "$results_file"
  step "LibTorchSharp's undefined symbols vs this libtorch" 60 bash "$here/check-symbols.sh" "$root/app/libLibTorchSharp.so" "$libtorch"

  # The machine's libtorch through the loader path (the bundle has none of its own); its OpenMP comes with it.
  # (bench train finds the shipped configs in the bundle's configs/, beside app/.)
  cli() { (cd "$work" && LD_LIBRARY_PATH="$libtorch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" VIMDENSE_NATIVE="$native" \
           "$root/app/vimdense" "$@"); }
  export -f cli; export work libtorch native root

  step "vimdense doctor" 120 bash -c 'cli doctor'
  local quick=(--lengths 197,1025 --repeats 3) backbone=(--models vim_tiny,deit_tiny --sizes 512,1024 --batch 4)
  local train=(--iters 5 --warmup 2)
  if [ "$device" = cpu ]; then # the rehearsal: same commands, sizes that finish in seconds on 2 cores
    quick=(--lengths 197 --repeats 1 --reference-max-length 0) backbone=(--models vim_tiny --sizes 224 --iters 1 --min-seconds 0)
    train=(--iters 1 --warmup 0 --size 128)
  fi
  cli_bench "bench scan --precision bf16" 120 bench scan --device "$device" "${quick[@]}"
  cli_bench "bench backbone --precision bf16" 180 bench backbone --device "$device" "${backbone[@]}"
  cli_bench "bench train --precision bf16" 240 bench train --device "$device" "${train[@]}" --json
}

# cli_bench NAME SECONDS ARGS...: runs `vimdense ARGS --precision bf16`; when this build rejects an option
# (--precision, --device, --json are being added), runs again without it, so the row still has numbers.
cli_bench() {
  local name=$1 limit=$2; shift 2
  local args=("$@" --precision bf16) dropped= option attempt before
  for attempt in 1 2 3 4; do
    before=$failed_steps
    step "$name${dropped:+ without$dropped (not in this build)}" "$limit" bash -c 'cli "$@"' _ "${args[@]}"
    [ "$failed_steps" -eq "$before" ] && return
    option=$(grep -o "Unrecognized command or argument '--[a-z-]*'" <<< "$step_last_output" | head -n 1 | cut -d"'" -f2)
    [ -n "$option" ] || return
    dropped="$dropped $option"
    mapfile -t args < <(without_option "$option" "${args[@]}")
  done
}

# without_option OPTION ARGS...: ARGS, one per line, without OPTION and its value (the next word unless it is
# an option itself).
without_option() {
  local option=$1 skip_value=0 a; shift
  for a in "$@"; do
    if [ "$skip_value" -eq 1 ]; then skip_value=0; [[ $a == --* ]] || continue; fi
    if [ "$a" = "$option" ]; then skip_value=1; continue; fi
    printf '%s\n' "$a"
  done
}
