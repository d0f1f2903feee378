#!/usr/bin/python3
"""Regenerates tests/VimDense.Tests/Datasets/Data/pil/ from Pillow's Image.resize.

Run with Debian's python3-pil (9.4) and python3-numpy:  /usr/bin/python3 tools/reference/pil_resize_fixtures.py
detectron2's ResizeTransform resizes uint8 images with PIL (BILINEAR for images, NEAREST for bitmasks); the
classification evaluation transform resizes with BICUBIC. Writes small deterministic uint8 inputs, PIL's resizes
of them, and cases.json listing (input, filter, size, expected). The tests never run Python.
"""
import json
import os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'VimDense.Tests', 'Datasets', 'Data', 'pil')
FILTERS = {'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC, 'nearest': Image.NEAREST}


def rgb_image(seed, w, h):
    """Noise over a gradient with a saturated checkerboard corner: exercises rounding and (bicubic) clipping."""
    rng = np.random.RandomState(seed)
    ys, xs = np.mgrid[0:h, 0:w]
    base = np.stack([xs * 255.0 / max(w - 1, 1), ys * 255.0 / max(h - 1, 1), (xs + ys) * 127.0 / max(w + h - 2, 1)], -1)
    img = np.clip(base + rng.randint(-40, 41, size=(h, w, 3)), 0, 255)
    board = ((xs // 2 + ys // 2) % 2 == 0)[..., None] * 255.0
    corner = (xs < w // 3) & (ys < h // 3)
    img = np.where(corner[..., None], board, img)
    return img.astype(np.uint8)


def mask_image(seed, w, h):
    """A 0/1 bitmask (blobs) like a decoded RLE mask."""
    rng = np.random.RandomState(seed)
    ys, xs = np.mgrid[0:h, 0:w]
    m = np.zeros((h, w), bool)
    for _ in range(3):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(1, max(w, h) / 3)
        m |= (xs - cx) ** 2 + (ys - cy) ** 2 < r * r
    return m.astype(np.uint8)


# (name, input size (w, h), output sizes (w, h), filters, kind)
RGB_CASES = [
    ('shrink2', (32, 24), [(16, 12)]),
    ('shrink_fractional', (37, 29), [(23, 11), (36, 28), (5, 3)]),
    ('enlarge', (13, 9), [(40, 31), (14, 10), (26, 18)]),
    ('mixed_axes', (30, 10), [(12, 25), (45, 7)]),
    ('one_axis', (20, 15), [(20, 7), (33, 15)]),
    ('identity', (16, 16), [(16, 16)]),
    ('large_shrink', (64, 48), [(7, 5), (1, 1)]),
    ('tiny', (1, 1), [(3, 2)]),
    ('tiny_2x3', (2, 3), [(1, 1), (5, 7)]),
    ('row', (5, 1), [(2, 1), (9, 2)]),
    # detectron2 ResizeShortestEdge(24, 1000) of a 60x40 image and a ResizeScale-like shrink by 0.3712.
    ('shortest_edge', (60, 40), [(36, 24), (22, 15)]),
]
MASK_CASES = [
    ('mask_shrink', (37, 29), [(23, 11), (18, 14)]),
    ('mask_enlarge', (13, 9), [(40, 31), (27, 19)]),
    ('mask_mixed', (30, 10), [(12, 25)]),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    cases = []
    for seed, (name, (w, h), sizes) in enumerate(RGB_CASES + MASK_CASES):
        is_mask = name.startswith('mask')
        img = mask_image(seed, w, h) if is_mask else rgb_image(seed, w, h)
        input_file = f'{name}.input.npy'
        np.save(os.path.join(OUT, input_file), img)
        for filt in (['nearest'] if is_mask else ['bilinear', 'bicubic']):
            for (nw, nh) in sizes:
                out = np.asarray(Image.fromarray(img).resize((nw, nh), FILTERS[filt]))
                assert out.dtype == np.uint8 and out.shape[:2] == (nh, nw)
                out_file = f'{name}.{filt}.{nw}x{nh}.npy'
                np.save(os.path.join(OUT, out_file), out)
                cases.append({'input': input_file, 'filter': filt, 'width': nw, 'height': nh, 'expected': out_file})
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump({'pillow': Image.__version__, 'cases': cases}, f, indent=1)
        f.write('\n')
    print(f'{len(cases)} cases written to {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
