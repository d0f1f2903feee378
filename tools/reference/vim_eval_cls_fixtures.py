#!/usr/bin/python3
"""Regenerates the classification-evaluation fixtures of tests/VimDense.Tests/Experiments/Data/evalcls.

Run with Debian's python3-torch (1.13), python3-torchvision (0.14), python3-pil and python3-numpy:
    /usr/bin/python3 tools/reference/vim_eval_cls_fixtures.py --vim PATH/TO/Vim
Writes a small ImageFolder (PNG images of assorted sizes, smaller and larger than the 256 resize, in 4 class
folders), the weights of a small middle-class-token Vim (D 64, depth 3, 10 classes, 224 input) and what
hustvl/Vim's evaluation computes on it: vim/datasets.py build_transform(is_train=False) (imported unchanged;
timm's two constants stubbed) on torchvision's ImageFolder, the model's logits (models_mamba.VisionMamba, loaded
with the stubs of vim_rope_fixtures.py), top-1 / top-5 as timm's accuracy, and for each image a subsample of its
transformed tensor ([:, ::7, ::7]) to check the transform itself.
"""
import argparse
import json
import os
import sys
import types

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vim_rope_fixtures as stubs  # noqa: E402  (the reference's CUDA/Triton/einops/timm stand-ins)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'VimDense.Tests', 'Experiments', 'Data', 'evalcls')
SIZES = [(120, 90), (160, 160), (300, 200), (233, 317), (64, 80), (400, 300), (256, 300), (511, 257)]  # (width, height)


def image(seed, width, height):
    """Smooth colour patterns with a little noise: every pixel differs, PNG stays small."""
    g = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    channels = []
    for c in range(3):
        fx, fy, phase = g.uniform(0.01, 0.08, 2).tolist() + [g.uniform(0, 6.3)]
        channels.append(127.5 + 100 * np.sin(fx * x + phase) * np.cos(fy * y) + g.normal(0, 6, (height, width)))
    return Image.fromarray(np.clip(np.stack(channels, -1), 0, 255).round().astype(np.uint8), 'RGB')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--vim', required=True, help='checkout of github.com/hustvl/Vim')
    args = parser.parse_args()
    stubs.install_stubs()
    stubs.module('timm.data', create_transform=None)
    stubs.module('timm.data.constants', IMAGENET_DEFAULT_MEAN=(0.485, 0.456, 0.406), IMAGENET_DEFAULT_STD=(0.229, 0.224, 0.225))
    mamba = os.path.join(args.vim, 'mamba-1p1p1', 'mamba_ssm')
    stubs.load('mamba_ssm.ops.selective_scan_interface', os.path.join(mamba, 'ops', 'selective_scan_interface.py'))
    stubs.load('mamba_ssm.modules.mamba_simple', os.path.join(mamba, 'modules', 'mamba_simple.py'))
    stubs.load('rope', os.path.join(args.vim, 'vim', 'rope.py'))
    models = stubs.load('models_mamba', os.path.join(args.vim, 'vim', 'models_mamba.py'))
    datasets = stubs.load('vim_datasets', os.path.join(args.vim, 'vim', 'datasets.py'))

    root = os.path.join(OUT, 'images')
    for i, (w, h) in enumerate(SIZES):
        folder = os.path.join(root, 'class_%d' % (i % 4))
        os.makedirs(folder, exist_ok=True)
        image(100 + i, w, h).save(os.path.join(folder, 'img_%d.png' % i))

    transform = datasets.build_transform(False, types.SimpleNamespace(input_size=224, eval_crop_ratio=0.875))
    from torchvision.datasets import ImageFolder
    folder = ImageFolder(root, transform=transform)

    torch.manual_seed(31)
    model = models.VisionMamba(img_size=224, patch_size=16, stride=16, num_classes=10, final_pool_type='mean',
                               if_cls_token=True, use_middle_cls_token=True,
                               **dict(stubs.COMMON, if_rope=False, if_rope_residual=False)).eval()
    stubs.perturb(model, 31)
    with torch.no_grad():
        model.head.weight.mul_(20)                                  # spread the logits: distinct ranks for top-k
    torch.save(model.state_dict(), os.path.join(OUT, 'vim_d64_d3_224_cls10.pth'))

    images = torch.stack([folder[i][0] for i in range(len(folder))])
    targets = torch.tensor([folder[i][1] for i in range(len(folder))])
    with torch.no_grad():
        logits = model(images)
    top5 = logits.topk(5, 1).indices
    np.save(os.path.join(OUT, 'logits.npy'), logits.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'transformed_sub7.npy'), images[:, :, ::7, ::7].contiguous().numpy().astype(np.float32))
    loss = torch.nn.functional.cross_entropy(logits, targets).item()
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump({'samples': [os.path.relpath(p, root) for p, _ in folder.samples], 'targets': targets.tolist(),
                   'top1_correct': int((top5[:, 0] == targets).sum()), 'top5_correct': int((top5 == targets[:, None]).any(1).sum()),
                   'loss': loss, 'torch': torch.__version__}, f, indent=1)


if __name__ == '__main__':
    main()
