#!/usr/bin/env bash
# build-native-direct.sh BUILD_DIR [CUDA_ARCH]: builds libvimdense_native and its test harness with the compilers
# alone, for a machine without cmake (run.sh uses it then; native/CMakeLists.txt stays the build of record and
# these flags mirror it). With CUDA_ARCH (e.g. 90) the CUDA kernels are compiled by nvcc for sm_CUDA_ARCH.
# Writes BUILD_DIR/libvimdense_native.so and BUILD_DIR/tests/<name> for each native/tests/*.cpp.
set -euo pipefail
native=$(cd "$(dirname "$0")/../../native" && pwd)
build=$1 arch=${2:-}
mkdir -p "$build/obj" "$build/tests"
version=$(head -n 1 "$native/VERSION")
cxx=${CXX:-g++}
cpu_flags=(-O3 -fno-math-errno -mavx2 -mfma -mf16c -fPIC -fopenmp -fvisibility=hidden -std=c++17)
defs=(-DVD_VERSION_STRING="\"$version\"" -I"$native/include" -I"$native")
objects=() link=()
for src in "$native"/src/*.cpp "$native"/cpu/*.cpp; do
  obj=$build/obj/$(basename "$src").o
  objects+=("$obj")
  "$cxx" "${cpu_flags[@]}" "${defs[@]}" ${arch:+-DVD_WITH_CUDA=1} -c "$src" -o "$obj" &
  [ "$(jobs -r | wc -l)" -lt "$(nproc)" ] || wait -n
done
if [ -n "$arch" ]; then
  nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  for src in "$native"/cuda/*.cu; do
    obj=$build/obj/$(basename "$src").o
    objects+=("$obj")
    "$nvcc" -std=c++17 -O3 --use_fast_math -lineinfo -Xcompiler -fPIC,-fvisibility=hidden \
      -gencode "arch=compute_$arch,code=sm_$arch" "${defs[@]}" -DVD_WITH_CUDA=1 -c "$src" -o "$obj" &
    [ "$(jobs -r | wc -l)" -lt "$(nproc)" ] || wait -n
  done
  cuda_lib=$(dirname "$(dirname "$(readlink -f "$nvcc")")")
  link=(-L"$cuda_lib/lib64" -L"$cuda_lib/targets/x86_64-linux/lib" -lcudart_static -ldl -lrt -lpthread)
fi
while [ "$(jobs -r | wc -l)" -gt 0 ]; do wait -n; done
"$cxx" -shared -fopenmp -static-libstdc++ -static-libgcc -o "$build/libvimdense_native.so" "${objects[@]}" "${link[@]}"
for src in "$native"/tests/*.cpp; do
  "$cxx" "${cpu_flags[@]}" "${defs[@]}" "$src" -o "$build/tests/$(basename "$src" .cpp)" \
    -L"$build" -lvimdense_native -Wl,-rpath,"$build" -ldl &
  [ "$(jobs -r | wc -l)" -lt "$(nproc)" ] || wait -n
done
while [ "$(jobs -r | wc -l)" -gt 0 ]; do wait -n; done
ls "$build/tests" | wc -l | xargs printf 'built libvimdense_native.so and %s test programs\n'
