#!/usr/bin/env bash
# eng/device/run.sh: the GPU check, for a GPU machine that has nvcc and python3 with torch + torchvision but no
# dotnet and no package registry. Writes ONE results file, $OUT/device-check.md (markdown).
#   Stage 1: builds native/ for sm_90 with the machine's nvcc, runs the CTest harness (CUDA vs CPU), checks the
#            library through ctypes on PyTorch tensors against float64 references and torchvision, times the scan.
#   Stage 2: when a bundle (eng/device/make-bundle.sh) is present, runs the CLI from it against the machine's
#            libtorch: doctor, the GPU tests, bench scan|backbone|train --device cuda --precision bf16.
# Options:
#   --rehearse        CPU rehearsal on this (GPU-less) machine: CPU build, tensors on the CPU, --device cpu
#   --out DIR         where the results file goes (default: $OUT, else artifacts/device/out)
#   --bundle FILE     the bundle (default: artifacts/device/vimdense-bundle.tar.xz when it exists; "none" skips)
#   --build-dir DIR   native build folder (default: artifacts/device/native-sm90; rehearsal: artifacts/native)
#   --libtorch DIR    libtorch for stage 2 (default: the lib/ folder of python3's torch; rehearsal: TorchSharp-cpu's
#                     libtorch 2.10 in the NuGet cache)
#   --python PY       python with torch and torchvision (default: python3; rehearsal: Debian's /usr/bin/python3)
# Exit status: 0 when every step passed, 1 when one failed (the results file says which), 2 on a bad option.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

rehearse=0 out=${OUT:-} bundle= build_dir= libtorch= python=
while [ $# -gt 0 ]; do
  case "$1" in
    --rehearse) rehearse=1 ;;
    --out|--bundle|--build-dir|--libtorch|--python)
      [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      declare "$(echo "${1#--}" | tr - _)=$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
out=${out:-$repo/artifacts/device/out}
[ -n "$bundle" ] || { [ -f "$repo/artifacts/device/vimdense-bundle.tar.xz" ] && bundle=$repo/artifacts/device/vimdense-bundle.tar.xz; }
[ "$bundle" = none ] && bundle=
if [ "$rehearse" -eq 1 ]; then device=cpu; build_dir=${build_dir:-$repo/artifacts/native} python=${python:-/usr/bin/python3}
else device=cuda; build_dir=${build_dir:-$repo/artifacts/device/native-sm90} python=${python:-python3}; fi
mkdir -p "$out" || { echo "run.sh: cannot create --out folder '$out'" >&2; exit 2; }
results=$out/device-check.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step_time_scale=$([ "$rehearse" -eq 1 ] && echo 5 || echo 1)
source "$here/results.sh"
results_begin "$results" "$([ "$rehearse" -eq 1 ] && echo "CPU rehearsal (no GPU; --device cpu)" || echo "GPU check")"

# --- the machine ---------------------------------------------------------------------------------
{
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), host $(hostname), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "- CPU: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
  echo "- GPU: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -n 1 | grep . || echo none)"
  echo "- nvcc: $( (command -v nvcc >/dev/null && nvcc --version || /usr/local/cuda/bin/nvcc --version) 2>/dev/null | sed -n 's/.*release //p' | grep . || echo none)"
  echo "- python: $("$python" -c 'import sys, torch, torchvision; print(sys.version.split()[0], "torch", torch.__version__, "(CUDA", torch.version.cuda, ", GPU available:", torch.cuda.is_available(), ") torchvision", torchvision.__version__)' 2>&1 | tail -n 1)"
  echo "- source: $(git -C "$repo" log -1 --format='%h %s' 2>/dev/null | cut -c1-100 || echo 'not a git checkout')"
} >> "$results"

# --- stage 1: native library ---------------------------------------------------------------------
results_section "Stage 1: native library"
cmake_args=(-S "$repo/native" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release)
if [ "$rehearse" -eq 1 ]; then
  [ -f "$build_dir/CMakeCache.txt" ] || cmake_args+=(-DVD_CUDA=OFF)
else
  nvcc_path=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  cmake_args+=(-DVD_CUDA=ON -DVD_CUDA_ARCHS=90 -DCMAKE_CUDA_COMPILER="$nvcc_path")
fi
# cmake when the machine has a recent enough one; otherwise the same sources and flags compiled directly
# (build-native-direct.sh), whose harness programs then run one by one instead of through ctest.
build_native() {
  rm -f "$build_dir/.direct"
  if command -v cmake >/dev/null && cmake "$@" >/dev/null && cmake --build "$build_dir" -j "$(nproc)" 2>&1 | tail -n 3; then
    return 0
  fi
  echo "cmake missing or failed: building directly"
  bash "$here/build-native-direct.sh" "$build_dir" "$([ "$rehearse" -eq 1 ] || echo 90)" && touch "$build_dir/.direct"
}
run_harness() {
  if [ ! -f "$build_dir/.direct" ]; then
    local summary code
    summary=$(ctest --test-dir "$build_dir" -V 2>&1); code=$?
    grep -E 'skipped|tests passed|tests failed|Failed|\*\*\*' <<< "$summary" | sed 's/^[0-9]*: //' | sort | uniq -c
    # On the GPU machine a CUDA harness that skips is a failure: the kernels were not compared.
    if [ "$rehearse" -eq 0 ] && grep -q 'skipped: no GPU' <<< "$summary"; then echo "CUDA harness skipped on the GPU machine"; return 1; fi
    return "$code"
  fi
  local t text code status=0
  for t in "$build_dir"/tests/*; do
    text=$("$t" 2>&1); code=$?
    echo "$(basename "$t"): exit $code: $(tail -n 1 <<< "$text")"
    [ "$code" -eq 0 ] || status=1
    if [ "$rehearse" -eq 0 ] && grep -q 'skipped: no GPU' <<< "$text"; then status=1; fi
  done
  return $status
}
export -f build_native run_harness; export build_dir here rehearse
step "build native/ ($([ "$rehearse" -eq 1 ] && echo CPU || echo sm_90))" \
  300 bash -o pipefail -c 'build_native "$@"' _ "${cmake_args[@]}"
library=$build_dir/libvimdense_native.so
step "C++/CUDA test harness (CUDA vs CPU where a GPU is present)" 120 bash -o pipefail -c run_harness
cd "$here" || exit 1
step "native ops vs float64 PyTorch and torchvision ($device)" 180 "$python" check_native_ops.py "$library" --device "$device"
step "scan time vs a copy of the same traffic ($device)" 120 \
  "$python" time_scan.py "$library" --device "$device" $([ "$rehearse" -eq 1 ] && echo --quick)

# --- stage 2: the managed program from the bundle ------------------------------------------------
results_section "Stage 2: the CLI from the bundle"
if [ -z "$bundle" ]; then
  echo "No bundle (make one here with eng/device/make-bundle.sh and carry artifacts/device/vimdense-bundle.tar.xz): skipped." >> "$results"
else
  if [ -z "$libtorch" ] && [ "$rehearse" -eq 1 ]; then
    # Debian's python3-torch (1.13) cannot host LibTorchSharp 0.107: rehearse on TorchSharp-cpu's libtorch 2.10.
    libtorch=$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native 2>/dev/null | tail -n 1)
  fi
  [ -n "$libtorch" ] || libtorch=$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
  source "$here/stage2.sh"
  run_stage2 "$bundle" "$libtorch" "$device" "$library" "$work"
fi

results_end
echo "results: $results" >&2
[ "$failed_steps" -eq 0 ]
