#!/usr/bin/env bash
# eng/device/make-bundle.sh [OUTPUT.tar.xz]: packs the vimdense CLI for eng/device/run.sh stage 2 on a machine
# without dotnet (default output: artifacts/device/vimdense-bundle.tar.xz, 15 MiB; carry it to the GPU machine).
# Self-contained publish (the .NET runtime inside), partial trimming (full trimming breaks the CLI: its commands
# are found by reflection), invariant globalization. Left out: libtorch (the GPU machine's own is used),
# OpenCvSharpExtern (108 MiB, needs GTK; only image decoding uses it), and libvimdense_native (stage 1 builds it).
# Kept: libLibTorchSharp.so, patched for old libstdc++ (eng/torchsharp-glibcxx), and configs/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
output=${1:-$repo/artifacts/device/vimdense-bundle.tar.xz}
staging=$repo/artifacts/device/bundle
rm -rf "$staging" && mkdir -p "$staging"

echo "[make-bundle] dotnet publish (self-contained, partial trimming)" >&2
dotnet publish "$repo/tools/VimDense.Cli/VimDense.Cli.csproj" -c Release -r linux-x64 --self-contained true \
  -p:PublishTrimmed=true -p:TrimMode=partial -p:InvariantGlobalization=true -p:TorchBackend=cpu \
  -p:SuppressTrimAnalysisWarnings=true -p:TreatWarningsAsErrors=false \
  -o "$staging/app" -nologo -clp:ErrorsOnly >&2

cd "$staging/app"
# The libtorch of the package (and its OpenMP) and OpenCV's native part stay behind; so does the CPU-only
# native library (stage 1 builds the one for the GPU and points VIMDENSE_NATIVE at it).
rm -f libtorch*.so libc10*.so libgomp*.so* libshm.so libaoti_custom_ops.so libbackend_with_compiler.so \
      libjitbackend_test.so libnnapi_backend.so libtorchbind_test.so libOpenCvSharpExtern.so libvimdense_native.so
rm -rf runtimes
cp -r "$repo/configs" "$staging/configs"
git -C "$repo" log -1 --format='%H %s' > "$staging/SOURCE" 2>/dev/null || echo unknown > "$staging/SOURCE"

mkdir -p "$(dirname "$output")"
tar -C "$staging" -cf - . | xz -6 -T0 > "$output.tmp" && mv "$output.tmp" "$output"
echo "[make-bundle] $output: $(du -m "$output" | cut -f1) MiB (unpacked $(du -sm "$staging" | cut -f1) MiB)" >&2
