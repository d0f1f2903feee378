#!/usr/bin/python3
"""Regenerates the real-PyTorch checkpoint fixtures of tests/VimDense.Tests/Checkpoints.

Run with Debian's python3-torch (1.13) and python3-numpy:  /usr/bin/python3 tools/reference/checkpoint_fixtures.py
Writes small .pth files saved by real torch.save, plus expected.json: for every tensor (addressed by a
path of keys / indices) its dtype, shape, stride, storage offset and values, as the oracle for the C#
reader. The tests never run Python.
"""
import argparse
import collections
import json
import os

import numpy as np
import torch

# Output: the test project's data folder for the checkpoint tests.
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'VimDense.Tests', 'Checkpoints', 'Data')
expected = {}


def describe(value, path, out):
    """Records every tensor reachable from value under its key path."""
    if isinstance(value, torch.Tensor):
        t = value.detach()
        out["/".join(path)] = {
            "dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape),
            "stride": list(t.stride()),
            "offset": t.storage_offset(),
            "values": t.to(torch.float64).flatten().tolist() if t.dtype != torch.bool else t.flatten().tolist(),
        }
    elif isinstance(value, dict):
        for k, v in value.items():
            describe(v, path + [str(k)], out)
    elif isinstance(value, argparse.Namespace):
        describe(vars(value), path, out)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            describe(v, path + [str(i)], out)


def save(name, obj, **kwargs):
    torch.save(obj, os.path.join(HERE, name), **kwargs)
    out = {}
    describe(obj, [], out)
    expected[name] = out


def views():
    base = torch.arange(24, dtype=torch.float32) * 0.5 - 3
    matrix = base.view(4, 6)
    return {
        "matrix": matrix,
        "transposed": matrix.t(),                      # non-contiguous view of the same storage
        "strided": base.as_strided((2, 3), (9, 2), 5),  # offset and gaps
        "slice": base[3:10],                           # offset view
        "column": matrix[:, 2],                        # stride 6
        "f16": torch.tensor([1.5, -2.0, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([[1.5, -2.0], [3.0, 1e-3]], dtype=torch.bfloat16),
        "f64": torch.tensor([3.141592653589793, -0.0]),
        "i64": torch.tensor([-(2 ** 62), 7]),
        "i32": torch.tensor([[-5, 6]], dtype=torch.int32),
        "u8": torch.tensor([0, 128, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "param": torch.nn.Parameter(torch.ones(2, 2) * 0.25),
        "empty": torch.zeros(0, 3),
        "scalar": torch.tensor(3.5),
        "nested": {"list": [torch.tensor([1.0, 2.0]), 1, 2.5, "x", None, True], "tuple": (1, (2, 3)), 7: "int key"},
    }


class Small(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 2)
        self.norm = torch.nn.LayerNorm(2)
        self.register_buffer("running", torch.tensor([0.5, -0.5]))

    def forward(self, x):
        return self.norm(self.fc(x)) + self.running


def official_like():
    torch.manual_seed(3)
    model = Small()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model(torch.randn(4, 3)).sum().backward()
    optimizer.step()
    ema = Small()
    ema.load_state_dict(model.state_dict())
    with torch.no_grad():
        for p in ema.parameters():
            p.mul_(0.5)
    args = argparse.Namespace(model="vim_tiny_patch16_224", lr=5e-4, input_size=224, if_amp=False,
                              finetune=None, drop_path=0.05, seeds=[0, 1])
    return {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "lr_scheduler": {"base_values": [5e-4], "t_in_epochs": True, "noise_range_t": None},
        "epoch": 299,
        "model_ema": ema.state_dict(),
        "scaler": "none",
        "args": args,
    }


def numpy_meta():
    return {
        "state_dict": collections.OrderedDict([("w", torch.arange(6.0).view(2, 3))]),
        "meta": {"seed": np.int64(42), "best": np.float64(0.8125), "flag": np.bool_(True),
                 "palette": np.asfortranarray(np.array([[0, 1, 2], [10, 11, 12]], dtype=np.float32)),
                 "counts": np.array([3, 4], dtype=np.int64)},
    }


save("views.pth", views())
save("official_like.pth", official_like())
save("numpy_meta.pth", numpy_meta())
save("legacy_views.pth", views(), _use_new_zipfile_serialization=False)

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump({"torch": torch.__version__, "files": expected}, f, indent=1, sort_keys=True)
