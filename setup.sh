#!/usr/bin/env bash
# One-command set-up on a fresh Debian 12 machine: system packages, native library, .NET solution.
# Idempotent and non-interactive: a re-run installs nothing new and rebuilds only what changed.
#   ./setup.sh                      everything, CUDA toolkit included (so the CUDA sources are compiled)
#   ./setup.sh --no-cuda            skip the CUDA toolkit (CPU-only native library)
#   ./setup.sh --torch-backend cuda libtorch for CUDA (TorchSharp-cuda-linux) instead of the CPU one (cpu: default);
#                                   the choice is kept in vimdense.local.props for later dotnet build/test
set -euo pipefail
cd "$(dirname "$0")"

with_cuda=1
torch_backend=
while [ $# -gt 0 ]; do
  case "$1" in
    --no-cuda) with_cuda=0 ;;
    --torch-backend) [ $# -ge 2 ] || { echo "setup.sh: --torch-backend needs a value (cpu or cuda)" >&2; exit 2; }
                     torch_backend=$2; shift ;;
    --torch-backend=*) torch_backend=${1#*=} ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$1' (expected --no-cuda, --torch-backend cpu|cuda)" >&2; exit 2 ;;
  esac
  shift
done
case "$torch_backend" in
  ''|cpu|cuda) ;;
  *) echo "setup.sh: --torch-backend must be cpu or cuda, not '$torch_backend'" >&2; exit 2 ;;
esac

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

# --- libtorch backend (TorchSharp-cpu or TorchSharp-cuda-linux), kept for later builds -----------
# vimdense.local.props (git-ignored) is imported by Directory.Build.props; -p:TorchBackend=... still overrides.
local_props=vimdense.local.props
write_backend() {
  printf '<Project>\n  <!-- Written by setup.sh (option torch-backend); delete it to return to the default, cpu. -->\n  <PropertyGroup>\n    <TorchBackend>%s</TorchBackend>\n  </PropertyGroup>\n</Project>\n' "$1" > "$local_props"
}
read_backend() {
  local value
  value=$(sed -n 's:.*<TorchBackend>\(.*\)</TorchBackend>.*:\1:p' "$local_props" 2>/dev/null | head -n 1)
  echo "${value:-cpu}"
}
current_backend=$(read_backend)
if [ -n "$torch_backend" ] && [ "$torch_backend" != "$current_backend" ]; then
  log "switching the libtorch backend: $current_backend -> $torch_backend"
  write_backend "$torch_backend"
  if ! dotnet restore VimDense.sln -nologo -v q >/tmp/vimdense-restore.log 2>&1; then
    echo "setup.sh: TorchSharp for '$torch_backend' could not be restored from this package source (see /tmp/vimdense-restore.log); staying on '$current_backend'" >&2
    write_backend "$current_backend"
    dotnet restore VimDense.sln -nologo -v q >/dev/null 2>&1 || true
    exit 1
  fi
fi

# --- native library (the .NET build also does this; done here first so errors surface early) ---
cmake_args=(-S native -B artifacts/native -DCMAKE_BUILD_TYPE=Release)
[ "$with_cuda" -eq 0 ] && cmake_args+=(-DVD_CUDA=OFF)
log "building native/"
cmake "${cmake_args[@]}" >/dev/null
cmake --build artifacts/native -j "$(nproc)"

# --- .NET solution ---------------------------------------------------------------------------
log "building VimDense.sln (Release, libtorch backend: $(read_backend))"
dotnet build VimDense.sln -c Release -nologo -clp:ErrorsOnly
log "done: tools/vimdense doctor"
