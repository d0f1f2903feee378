#!/usr/bin/env bash
# One-command set-up on a fresh Debian 12 machine: system packages, native library, .NET solution.
# Idempotent and non-interactive: a re-run installs nothing new and rebuilds only what changed.
#   ./setup.sh            everything, CUDA toolkit included (so the CUDA sources are compiled)
#   ./setup.sh --no-cuda  skip the CUDA toolkit (CPU-only native library)
set -euo pipefail
cd "$(dirname "$0")"

with_cuda=1
for arg in "$@"; do
  case "$arg" in
    --no-cuda) with_cuda=0 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (expected --no-cuda)" >&2; exit 2 ;;
  esac
done

log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- system packages -------------------------------------------------------------------------
packages=(cmake g++ make patchelf libgtk-3-0 openmpi-bin)
[ "$with_cuda" -eq 1 ] && packages+=(nvidia-cuda-toolkit clang-14)

if [ "$with_cuda" -eq 1 ] && [ -f /etc/apt/sources.list.d/debian.sources ] \
   && ! grep -rqs 'contrib' /etc/apt/sources.list.d/ /etc/apt/sources.list; then
  # nvidia-cuda-toolkit lives in Debian's contrib/non-free components.
  log "enabling Debian contrib non-free"
  as_root tee /etc/apt/sources.list.d/vimdense-contrib.sources >/dev/null <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: contrib non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -f /tmp/.vimdense-apt-updated
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "setup.sh: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }

# --- native library (the .NET build also does this; done here first so errors surface early) ---
cmake_args=(-S native -B artifacts/native -DCMAKE_BUILD_TYPE=Release)
[ "$with_cuda" -eq 0 ] && cmake_args+=(-DVD_CUDA=OFF)
log "building native/"
cmake "${cmake_args[@]}" >/dev/null
cmake --build artifacts/native -j "$(nproc)"

# --- .NET solution ---------------------------------------------------------------------------
log "building VimDense.sln (Release)"
dotnet build VimDense.sln -c Release -nologo -clp:ErrorsOnly
log "done: tools/vimdense doctor"
