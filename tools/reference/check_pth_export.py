#!/usr/bin/python3
"""Checks a .pth written by `vimdense convert IN OUT.pth` with real PyTorch (reference only, not run by CI).

Run with Debian's python3-torch (1.13; `apt-get install -y python3-torch`):
    /usr/bin/python3 tools/reference/check_pth_export.py OUT.pth [--against OUT.safetensors]

Loads the file with torch.load(..., weights_only=True) (the restricted unpickler, which refuses any global a state
dict does not need), checks that it is an OrderedDict of contiguous CPU tensors whose records are stored uncompressed
with 64-byte aligned data, and, with --against, that every tensor equals the one in a safetensors file of the same
weights (`vimdense convert IN OUT.safetensors`; read here with a few lines of Python, no safetensors package).
Prints one summary line; exits 1 on the first difference.
"""
import argparse
import collections
import json
import struct
import sys
import zipfile

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64, "I64": torch.int64,
          "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[entry["dtype"]]) if end > begin \
            else torch.empty(0, dtype=DTYPES[entry["dtype"]])
        tensors[name] = flat.reshape(entry["shape"])
    return tensors


def fail(message):
    print(f"check_pth_export: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pth")
    parser.add_argument("--against", help="safetensors file holding the same weights")
    args = parser.parse_args()

    with zipfile.ZipFile(args.pth) as archive, open(args.pth, "rb") as raw:
        for info in archive.infolist():
            if info.compress_type != zipfile.ZIP_STORED:
                fail(f"{info.filename} is compressed")
            # The local header's own name and extra lengths (the padding lives there, not in the central directory).
            raw.seek(info.header_offset + 26)
            name_length, extra_length = struct.unpack("<HH", raw.read(4))
            data_start = info.header_offset + 30 + name_length + extra_length
            if data_start % 64 != 0:
                fail(f"{info.filename} data starts at {data_start}, not 64-byte aligned")
        names = archive.namelist()

    state = torch.load(args.pth, map_location="cpu", weights_only=True)
    if not isinstance(state, collections.OrderedDict):
        fail(f"top level is {type(state).__name__}, expected OrderedDict")
    for name, tensor in state.items():
        if not isinstance(tensor, torch.Tensor) or not tensor.is_contiguous():
            fail(f"{name} is not a contiguous tensor")

    compared = 0
    if args.against:
        expected = read_safetensors(args.against)
        if list(expected) != list(state):
            fail(f"names differ: {sorted(set(expected) ^ set(state))[:5]}")
        for name, value in expected.items():
            if value.dtype != state[name].dtype or value.shape != state[name].shape or not torch.equal(value, state[name]):
                fail(f"{name} differs")
            compared += 1

    parameters = sum(t.numel() for t in state.values())
    print(f"{args.pth}: torch {torch.__version__} weights_only=True loaded an OrderedDict of {len(state)} tensors "
          f"({parameters:,} values), {len(names)} stored 64-byte aligned records"
          + (f", {compared} tensors equal to {args.against}" if args.against else ""))


if __name__ == "__main__":
    main()
