#!/usr/bin/env bash
# patch-output.sh OUTPUT_DIR
# Makes the copies of libLibTorchSharp.so under OUTPUT_DIR loadable on a libstdc++ older than GCC 13
# (see DESIGN.md, "Environment facts"). Does nothing when the system libstdc++ already has
# GLIBCXX_3.4.32. Only files under OUTPUT_DIR are touched, never the NuGet cache; re-runs are no-ops.
set -euo pipefail
out_dir=$1
here=$(cd "$(dirname "$0")" && pwd)
tools="$here/../../artifacts/glibcxx"
shim=libvd_glibcxx_shim.so

# awk reads the whole listing (keeps the first match, no early `exit`): an early exit closes the pipe while
# ldconfig still writes, and under pipefail its SIGPIPE (141) would kill the script when run from a shell.
ldconfig=${VD_LDCONFIG:-/sbin/ldconfig} # overridable so that a test can feed a long listing
libstdcxx=$("$ldconfig" -p 2>/dev/null | awk '!found && /libstdc\+\+\.so\.6 .*x86-64/ {found = $NF} END {print found}')
if [ -z "$libstdcxx" ] || grep -qa 'GLIBCXX_3\.4\.32' "$libstdcxx"; then
  exit 0
fi

mapfile -t targets < <(find "$out_dir" -name libLibTorchSharp.so -type f 2>/dev/null)
[ "${#targets[@]}" -gt 0 ] || exit 0

command -v patchelf >/dev/null || { echo "error VD0001: patchelf is required to patch libLibTorchSharp.so (run ./setup.sh)" >&2; exit 1; }

# Build the shim and the ELF editor once; several projects may build in parallel, hence the lock.
mkdir -p "$tools"
exec 9>"$tools/.lock"
flock 9
if [ ! -f "$tools/$shim" ] || [ "$here/ios_base_library_init.cpp" -nt "$tools/$shim" ]; then
  g++ -shared -fPIC -O2 -o "$tools/$shim.tmp" "$here/ios_base_library_init.cpp" && mv "$tools/$shim.tmp" "$tools/$shim"
fi
if [ ! -x "$tools/weaken_version_need" ] || [ "$here/weaken_version_need.c" -nt "$tools/weaken_version_need" ]; then
  gcc -O2 -o "$tools/weaken_version_need" "$here/weaken_version_need.c"
fi

for lib in "${targets[@]}"; do
  dir=$(dirname "$lib")
  cp -f "$tools/$shim" "$dir/$shim"
  if patchelf --print-needed "$lib" | grep -qx "$shim"; then
    continue
  fi
  # A copy may be a hard link into the NuGet cache: break the link before editing.
  cp --remove-destination "$lib" "$lib.tmp" && mv -f "$lib.tmp" "$lib"
  "$tools/weaken_version_need" "$lib" GLIBCXX_3.4.32
  patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$lib"
  patchelf --add-needed "$shim" "$lib"
  echo "patched $lib for GLIBCXX_3.4.32" >&2
done
