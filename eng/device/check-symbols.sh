#!/usr/bin/env bash
# check-symbols.sh LIBLIBTORCHSHARP LIBTORCH_DIR: lists the undefined symbols of libLibTorchSharp.so that the
# libtorch in LIBTORCH_DIR (libtorch.so, libc10.so, libtorch_cpu.so, and libtorch_cuda.so where present) does
# not define. TorchSharp 0.107 was built for libtorch 2.10; a machine's other libtorch binds only when this
# list is empty (rebuilding LibTorchSharp against that libtorch's headers is the fallback, not done here).
# Exit status: 0 when every symbol is found, 1 when some are missing, 2 when a file is missing.
set -euo pipefail
lib=$1 dir=$2
[ -f "$lib" ] || { echo "check-symbols.sh: $lib not found" >&2; exit 2; }
defined=$(mktemp) needed=$(mktemp)
trap 'rm -f "$defined" "$needed"' EXIT
found=0
for name in libtorch libc10 libtorch_cpu libtorch_cuda libc10_cuda; do
  for file in "$dir/$name.so" "$dir/$name.so".*; do
    [ -f "$file" ] || continue
    nm -D --defined-only "$file" | awk '{print $NF}' >> "$defined"
    found=$((found + 1))
    break
  done
done
[ "$found" -gt 0 ] || { echo "check-symbols.sh: no libtorch/libc10/libtorch_cpu in $dir" >&2; exit 2; }
# Libraries it needs from its own folder count too (the glibcxx shim defines std::ios_base_library_init).
for name in $(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  [ -f "$(dirname "$lib")/$name" ] && nm -D --defined-only "$(dirname "$lib")/$name" | awk '{print $NF}' >> "$defined"
done
sort -u -o "$defined" "$defined"
# Strong (U) references only: weak ones may stay unresolved. Versioned ones (GLIBC_*, GLIBCXX_*) are the C/C++ runtime's.
nm -D --undefined-only "$lib" | awk '$1 == "U" {print $2}' | grep -v '@' | sort -u > "$needed"
missing=$(comm -23 "$needed" "$defined")
total=$(wc -l < "$needed")
if [ -z "$missing" ]; then
  echo "all $total unversioned undefined symbols of $(basename "$lib") are defined by the libtorch in $dir"
  exit 0
fi
count=$(printf '%s\n' "$missing" | wc -l)
echo "$count of $total unversioned undefined symbols of $(basename "$lib") are missing from the libtorch in $dir; the first 15 (demangled):"
printf '%s\n' "$missing" | head -n 15 | c++filt | cut -c1-160 | sed 's/^/  /'
exit 1
