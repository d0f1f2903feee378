#!/usr/bin/python3
"""Regenerates the RoPE fixtures of tests/VimDense.Tests/Backbones/Data/rope from hustvl/Vim's own code.

Run with Debian's python3-torch (1.13) and python3-numpy, on a checkout of hustvl/Vim (read at dd0358a):
    /usr/bin/python3 tools/reference/vim_rope_fixtures.py --vim PATH/TO/Vim
It imports the reference's files unchanged: vim/rope.py (VisionRotaryEmbeddingFast), vim/models_mamba.py
(VisionMamba, classification), seg/backbone/vim.py (VisionMambaSeg), det/detectron2/modeling/backbone/vim.py
(VisionMambaDet) and mamba-1p1p1's mamba_simple.py / selective_scan_interface.py. Only what cannot run here is
replaced, by pure-PyTorch definitions (as the earlier shared/fixtures/vim were made):
- the CUDA kernels: selective_scan_cuda.fwd -> the file's own selective_scan_ref; causal_conv1d_cuda -> a depthwise
  causal conv + SiLU;
- the Triton fused add + RMSNorm -> its arithmetic (x + residual in float32, x * rsqrt(mean(x^2) + eps) * w);
- einops (not packaged by Debian) -> a small rearrange/repeat for the patterns these files use;
- timm / mmseg / mmcv / detectron2 / fvcore imports -> the few helpers the files need (trunc_normal_, DropPath, ...).
Models are small (D 64, depth 3, 2 images), randomly initialised, then norm weights, D/D_b and biases are perturbed
so every parameter matters. The tests never run Python.
"""
import argparse
import importlib.util
import json
import math
import os
import sys
import types

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'VimDense.Tests', 'Backbones', 'Data', 'rope')


# ---- einops (rearrange / repeat), enough for the reference's patterns --------------------------------------------
def _parse(side):
    tokens, group = [], None
    for t in side.replace('(', ' ( ').replace(')', ' ) ').split():
        if t == '(':
            group = []
        elif t == ')':
            tokens.append(group)
            group = None
        elif group is not None:
            group.append(t)
        else:
            tokens.append('...' if t == '...' else [t])
    return tokens


def _einops(x, pattern, sizes):
    lhs, rhs = (_parse(s) for s in pattern.split('->'))
    ellipsis = x.dim() - (len(lhs) - (1 if '...' in lhs else 0))
    known, names, shape, dim = dict(sizes), [], [], 0
    for tok in lhs:
        if tok == '...':
            for k in range(ellipsis):
                names.append('...%d' % k)
                shape.append(x.shape[dim])
                known['...%d' % k] = x.shape[dim]
                dim += 1
            continue
        unknown = [n for n in tok if n != '1' and n not in known]
        product = math.prod(1 if n == '1' else known.get(n, 1) for n in tok)
        if unknown:
            known[unknown[0]] = x.shape[dim] // product
        for n in tok:
            if n != '1':
                names.append(n)
                shape.append(known[n])
        dim += 1
    x = x.reshape(shape)
    right = []
    for tok in rhs:
        right.extend([['...%d' % k] for k in range(ellipsis)] if tok == '...' else [tok])
    flat = [n for tok in right for n in tok if n != '1']
    x = x.permute([names.index(n) for n in flat if n in names])
    view = [known[n] if n in names else 1 for n in flat]
    x = x.reshape(view).expand([known[n] for n in flat])
    return x.reshape([math.prod(1 if n == '1' else known[n] for n in tok) for tok in right])


einops = types.ModuleType('einops')
einops.rearrange = lambda x, pattern, **sizes: _einops(x, pattern, sizes)
einops.repeat = lambda x, pattern, **sizes: _einops(x, pattern, sizes)


# ---- CUDA / Triton replacements -----------------------------------------------------------------------------------
def causal_conv1d_fwd(x, weight, bias, seq_idx, initial_states, final_states_out, silu):
    out = F.conv1d(x, weight.unsqueeze(1), bias, padding=weight.shape[-1] - 1, groups=x.shape[1])[..., :x.shape[-1]]
    return F.silu(out) if silu else out


def selective_scan_fwd(u, delta, A, B, C, D, z, delta_bias, delta_softplus):
    ref = sys.modules['mamba_ssm.ops.selective_scan_interface'].selective_scan_ref
    return None, None, ref(u, delta, A, B, C, D, z, delta_bias, delta_softplus)


def rms_norm_fn(x, weight, bias, residual=None, eps=1e-6, dropout_p=0.0, prenorm=False, residual_in_fp32=False, **_):
    assert dropout_p == 0.0
    dtype = x.dtype
    x = x.float() if residual is None else x.float() + residual.float()
    residual_out = x if residual_in_fp32 or residual is not None and residual.dtype == torch.float32 else x.to(dtype)
    y = x * torch.rsqrt(x.square().mean(-1, keepdim=True) + eps) * weight.float()
    if bias is not None:
        y = y + bias.float()
    y = y.to(dtype)
    return (y, residual_out) if prenorm else y


class RMSNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-5, dropout_p=0.0, device=None, dtype=None):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.register_parameter('bias', None)

    def forward(self, x, residual=None, prenorm=False, residual_in_fp32=False):
        return rms_norm_fn(x, self.weight, self.bias, residual=residual, eps=self.eps, prenorm=prenorm,
                           residual_in_fp32=residual_in_fp32)


class DropPath(nn.Module):
    def __init__(self, drop_prob=0.0):
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x):
        if self.drop_prob == 0.0 or not self.training:
            return x
        keep = 1 - self.drop_prob
        mask = x.new_empty((x.shape[0],) + (1,) * (x.dim() - 1)).bernoulli_(keep)
        return x * mask / keep


def module(name, **attrs):
    m = types.ModuleType(name)
    m.__path__ = []
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


def install_stubs():
    sys.modules['einops'] = einops
    module('selective_scan_cuda', fwd=selective_scan_fwd)
    module('causal_conv1d_cuda', causal_conv1d_fwd=causal_conv1d_fwd)
    module('causal_conv1d', causal_conv1d_fn=None, causal_conv1d_update=None)
    module('mamba_ssm')
    module('mamba_ssm.ops')
    module('mamba_ssm.ops.triton')
    module('mamba_ssm.ops.triton.layer_norm', RMSNorm=RMSNorm, rms_norm_fn=rms_norm_fn, layer_norm_fn=None)
    module('mamba_ssm.modules')
    module('mamba_ssm.utils')
    module('mamba_ssm.utils.generation', GenerationMixin=object)
    module('mamba_ssm.utils.hf', load_config_hf=None, load_state_dict_hf=None)
    layers = dict(trunc_normal_=nn.init.trunc_normal_, lecun_normal_=lambda t: nn.init.trunc_normal_(t, std=t[0].numel() ** -0.5),
                  DropPath=DropPath, to_2tuple=lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v))
    module('timm')
    module('timm.models')
    module('timm.models.layers', **layers)
    module('timm.models.registry', register_model=lambda f: f)
    module('timm.models.vision_transformer', VisionTransformer=object, _cfg=lambda **k: k, _load_weights=None)
    module('mmcv_custom', load_checkpoint=None)
    module('mmseg')
    module('mmseg.utils', get_root_logger=None)
    module('mmseg.models')
    module('mmseg.models.builder', BACKBONES=types.SimpleNamespace(register_module=lambda: (lambda cls: cls)))
    module('fvcore')
    module('fvcore.nn')
    module('fvcore.nn.weight_init')
    module('detectron2')
    module('detectron2.layers', CNNBlockBase=nn.Module, Conv2d=nn.Conv2d, get_norm=None)
    module('detectron2.modeling')
    module('detectron2.modeling.backbone')
    module('detectron2.modeling.backbone.fpn', _assert_strides_are_log2_contiguous=None)
    module('detbackbone')
    module('detbackbone.backbone', Backbone=nn.Module)
    module('detbackbone.utils', PatchEmbed=None, add_decomposed_rel_pos=None, get_abs_pos=None,
           window_partition=None, window_unpartition=None)
    module('detbackbone.vit', SimpleFeaturePyramid=None)


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def perturb(model, seed):
    """Non-trivial norm weights, skips and biases (the init leaves them at 1, 1 and 0)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(('bias', 'norm.weight', 'norm_f.weight', '.D', '.D_b')):
                p.add_(torch.rand(p.shape, generator=g) * 0.4 - 0.2)


def save(name, model, inputs, outputs, meta):
    os.makedirs(OUT, exist_ok=True)
    state = {k: v for k, v in model.state_dict().items()}
    torch.save(state, os.path.join(OUT, name + '.pth'))
    np.save(os.path.join(OUT, name + '.input.npy'), inputs.numpy().astype(np.float32))
    for key, value in outputs.items():
        np.save(os.path.join(OUT, '%s.%s.npy' % (name, key)), value.detach().numpy().astype(np.float32))
    meta = dict(meta, keys=sorted(k for k in state if k.startswith('rope.')), outputs={k: list(v.shape) for k, v in outputs.items()})
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(meta, f, indent=1, sort_keys=True)


COMMON = dict(embed_dim=64, depth=3, rms_norm=True, residual_in_fp32=True, fused_add_norm=True, if_abs_pos_embed=True,
              if_rope=True, if_rope_residual=True, bimamba_type='v2', if_divide_out=True, drop_path_rate=0.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--vim', required=True, help='checkout of github.com/hustvl/Vim')
    args = parser.parse_args()
    install_stubs()
    os.makedirs(OUT, exist_ok=True)
    mamba = os.path.join(args.vim, 'mamba-1p1p1', 'mamba_ssm')
    load('mamba_ssm.ops.selective_scan_interface', os.path.join(mamba, 'ops', 'selective_scan_interface.py'))
    load('mamba_ssm.modules.mamba_simple', os.path.join(mamba, 'modules', 'mamba_simple.py'))
    rope = load('rope', os.path.join(args.vim, 'vim', 'rope.py'))
    load('utils', os.path.join(args.vim, 'vim', 'utils.py'))
    models = load('models_mamba', os.path.join(args.vim, 'vim', 'models_mamba.py'))
    seg = load('seg_vim', os.path.join(args.vim, 'seg', 'backbone', 'vim.py'))
    det = load('detbackbone.vim', os.path.join(args.vim, 'det', 'detectron2', 'modeling', 'backbone', 'vim.py'))

    # RoPE alone: a 4 x 4 and a 6 x 6 grid (pt_hw_seq_len 14), even (all tokens) and odd (first token kept) lengths.
    torch.manual_seed(20)
    for side, pt in ((4, 14), (6, 10)):
        r = rope.VisionRotaryEmbeddingFast(dim=32, pt_seq_len=pt, ft_seq_len=side)
        even = torch.randn(2, side * side, 64)
        odd = torch.randn(2, side * side + 1, 64)
        name = 'rope_d64_grid%d_pt%d' % (side, pt)
        np.save(os.path.join(OUT, name + '.cos.npy'), r.freqs_cos.numpy())
        np.save(os.path.join(OUT, name + '.sin.npy'), r.freqs_sin.numpy())
        for tag, t in (('even', even), ('odd', odd)):
            np.save(os.path.join(OUT, '%s.%s_in.npy' % (name, tag)), t.numpy())
            np.save(os.path.join(OUT, '%s.%s_out.npy' % (name, tag)), r(t).numpy())

    # Classification (models_mamba.VisionMamba): middle class token at index 8 of 17 tokens; the odd length makes
    # the reference's RoPE keep token 0 (a patch) and rotate the class token with the table row of its slot.
    torch.manual_seed(21)
    cls = models.VisionMamba(img_size=64, patch_size=16, stride=16, num_classes=10, final_pool_type='mean',
                             if_cls_token=True, use_middle_cls_token=True, **COMMON).eval()
    perturb(cls, 21)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        save('vim_d64_d3_cls_rope', cls, x, {'features': cls(x, return_features=True), 'logits': cls(x)},
             dict(path='classification', img=64, stride=16, num_classes=10, class_token='middle', rope=True, rope_residual=True, pt_hw_seq_len=14))

    # Segmentation (VisionMambaSeg, Vim-S recipe: use_residual_as_feature, last_layer_process 'add'), 4 x 4 grid.
    # HEAD's positional super() call maps in_chans to d_state and num_classes to channels (issue #139): pass them so.
    torch.manual_seed(22)
    s = seg.VisionMambaSeg(img_size=64, patch_size=16, stride=16, in_chans=16, num_classes=3, out_indices=[0, 2],
                           if_fpn=False, use_residual_as_feature=True, last_layer_process='add', if_cls_token=False,
                           **{k: v for k, v in COMMON.items() if k != 'embed_dim' and k != 'depth'}, embed_dim=64, depth=3).eval()
    perturb(s, 22)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        residual_maps = s(x)
        s.use_residual_as_feature = False
        s.out_indices = [1, 2]
        mixer_maps = s(x)
    save('vim_d64_d3_seg_rope', s, x, {'residual0': residual_maps[0], 'residual2': residual_maps[1],
                                       'mixer1': mixer_maps[0], 'mixer2': mixer_maps[1]},
         dict(path='seg', img=64, stride=16, rope=True, rope_residual=True, pt_hw_seq_len=14,
              residual_out_indices=[0, 2], mixer_out_indices=[1, 2]))

    # Detection (VisionMambaDet, last_layer_process 'add'), 6 x 6 grid, RoPE on the hidden states only.
    torch.manual_seed(23)
    d = det.VisionMambaDet(img_size=96, patch_size=16, last_layer_process='add', if_cls_token=False,
                           **dict(COMMON, if_rope_residual=False)).eval()
    perturb(d, 23)
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        save('vim_d64_d3_det_rope', d, x, {'last_feat': d(x)['last_feat']},
             dict(path='det', img=96, stride=16, rope=True, rope_residual=False, pt_hw_seq_len=14))


if __name__ == '__main__':
    main()
