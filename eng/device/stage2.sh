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
  cli_bench "bench scan" 120 bench scan --device "$device" "${quick[@]}"
  cli_bench "bench backbone" 180 bench backbone --device "$device" "${backbone[@]}"
  cli_bench "bench train" 240 bench train --device "$device" "${train[@]}" --json
}

# cli_bench NAME SECONDS ARGS...: runs `vimdense ARGS --precision bf16`; when that build does not know
# --precision (or --device) yet, runs again without the options it rejected, so the row still has numbers.
cli_bench() {
  local name=$1 limit=$2; shift 2
  local failed_before=$failed_steps
  step "$name --precision bf16" "$limit" bash -c 'cli "$@"' _ "$@" --precision bf16
  [ "$failed_steps" -eq "$failed_before" ] && return
  if tail -n 80 "$results_file" | grep -q "Unrecognized command or argument '--precision'"; then
    local args=() skip=0
    for a in "$@"; do
      if [ "$skip" -eq 1 ]; then skip=0; continue; fi
      if [ "$a" = --device ] && tail -n 80 "$results_file" | grep -q "Unrecognized command or argument '--device'"; then skip=1; continue; fi
      args+=("$a")
    done
    step "$name (fp32: this build has no --precision)" "$limit" bash -c 'cli "$@"' _ "${args[@]}"
  fi
}
