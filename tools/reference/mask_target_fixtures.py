#!/usr/bin/env python3
"""Regenerates tests/VimDense.Tests/Detection/Data/detectron2_mask_targets.json: Mask R-CNN training targets
as detectron2 builds them (detectron2/structures/masks.py at 02b5c4e).

* Polygons: `rasterize_polygons_within_box` steps 1-2 (shift by the box's x0, y0; scale by
  M / max(w, 0.1) and M / max(h, 0.1)) with detectron2's types: polygons float64 (PolygonMasks stores
  float64 arrays), the box a float32 proposal tensor's `.numpy()`, so w and h are numpy float32 and
  M / w is float64 (numpy 1.x value-based casting; Debian has numpy 1.24).
  Step 3 (pycocotools frPyObjects + merge + decode at M x M) is not reproduced here: pycocotools is not in
  Debian. The tests rasterise the transformed polygons recorded below with VimDense's own pycocotools port
  (RleCodec.FromPolygons), which tests/VimDense.Tests/Masks/PolygonFixtureTests.cs checks bit for bit
  against pycocotools' fixtures; what this file pins is the per-box transform, exactly.
* Bitmaps: `BitMasks.crop_and_resize`: ROIAlign((M, M), 1.0, 0, aligned=True) of the float32 bitmap at
  the image's own size, then >= 0.5 (detectron2's ROIAlign calls torchvision.ops.roi_align).

Run with Debian's python3-torch / python3-torchvision (apt-get install python3-torchvision):
    /usr/bin/python3 tools/reference/mask_target_fixtures.py
Never run by the tests; they read the committed JSON.
"""
import copy
import json
import math
import os

import numpy as np
import torch
from torchvision.ops import roi_align

M = 28


def transform_within_box(polygons, box, mask_size):
    """detectron2's rasterize_polygons_within_box, steps 1 and 2 (the same numpy operations)."""
    w, h = box[2] - box[0], box[3] - box[1]
    polygons = copy.deepcopy(polygons)
    for p in polygons:
        p[0::2] = p[0::2] - box[0]
        p[1::2] = p[1::2] - box[1]
    ratio_h = mask_size / max(h, 0.1)
    ratio_w = mask_size / max(w, 0.1)
    if ratio_h == ratio_w:
        for p in polygons:
            p *= ratio_h
    else:
        for p in polygons:
            p[0::2] *= ratio_w
            p[1::2] *= ratio_h
    return polygons


def star(g, cx, cy, r, k):
    angles = np.sort(torch.rand(k, generator=g, dtype=torch.float64).numpy() * 2 * math.pi)
    radii = r * (0.4 + 0.6 * torch.rand(k, generator=g, dtype=torch.float64).numpy())
    return np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], 1).reshape(-1)


def polygon_cases():
    g = torch.Generator().manual_seed(17)
    cases = []
    boxes = [
        [10.0, 20.0, 38.0, 48.0],            # square, equal ratios
        [12.3, 18.7, 61.9, 40.2],            # non-square, non-integer
        [30.5, 30.5, 30.55, 52.0],           # width below 0.1: ratio M / 0.1 (float64)
        [5.25, 9.75, 90.125, 11.5],          # flat
        [-8.0, -6.5, 25.0, 30.0],            # reaching outside the image
        [40.0, 35.0, 44.0, 39.0],            # small box near the centre
        [0.0, 0.0, 0.0, 0.0],                # empty box: both sides below 0.1
    ]
    for _ in range(8):
        x0, y0 = (torch.rand(2, generator=g, dtype=torch.float64) * 60 - 5).tolist()
        w, h = (torch.rand(2, generator=g, dtype=torch.float64) * 50 + 1).tolist()
        boxes.append([x0, y0, x0 + w, y0 + h])
    for i, b in enumerate(boxes):
        box = torch.tensor(b, dtype=torch.float32).numpy()   # a proposal box as detectron2 holds it
        parts = [star(g, 35.0, 38.0, 18.0, 12)]
        if i % 3 == 1:
            parts.append(star(g, 60.0, 20.0, 6.0, 5))      # a second part of the same instance
        polygons = [np.asarray(p, dtype=np.float64) for p in parts]
        out = transform_within_box(polygons, box, M)
        cases.append({
            "box": [float(v) for v in box],
            "polygons": [p.tolist() for p in polygons],
            "transformed": [p.tolist() for p in out],
        })
    return cases


def bitmap_cases():
    g = torch.Generator().manual_seed(5)
    cases = []
    for h, w, k in [(37, 53, 10), (64, 48, 8), (29, 29, 6)]:
        yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float64), torch.arange(w, dtype=torch.float64), indexing="ij")
        masks = []
        for _ in range(3):
            cx, cy = (torch.rand(2, generator=g, dtype=torch.float64) * torch.tensor([w, h])).tolist()
            rx, ry = (torch.rand(2, generator=g, dtype=torch.float64) * torch.tensor([w, h]) * 0.4 + 2).tolist()
            noise = torch.rand(h, w, generator=g, dtype=torch.float64) * 0.3
            masks.append((((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 + noise < 1.0).to(torch.uint8))
        masks[0][:, -1] = 1   # the last column and row: RoIAlign clamps there (no padding)
        masks[0][-1, :] = 1
        bitmaps = torch.stack(masks)
        gt_index = torch.randint(0, 3, (k,), generator=g)
        x1 = torch.rand(k, generator=g) * w * 1.1 - 0.1 * w
        y1 = torch.rand(k, generator=g) * h * 1.1 - 0.1 * h
        bw = torch.rand(k, generator=g) * w * 0.8 + 0.05
        bh = torch.rand(k, generator=g) * h * 0.8 + 0.05
        boxes = torch.stack([x1, y1, x1 + bw, y1 + bh], 1).to(torch.float32)
        boxes[0] = torch.tensor([w - 6.3, h - 5.7, w + 0.0, h + 0.0])     # ends at the image border
        boxes[1] = torch.tensor([2.2, 3.4, 2.25, 3.9])                     # thinner than a pixel
        # BitMasks.crop_and_resize on gt_masks[gt_index] (detectron2 indexes the matched ground truth first).
        selected = bitmaps[gt_index]
        rois = torch.cat([torch.arange(k, dtype=torch.float32)[:, None], boxes], 1)
        out = roi_align(selected.to(torch.float32)[:, None], rois, (M, M), 1.0, 0, True).squeeze(1) >= 0.5
        cases.append({
            "height": h, "width": w,
            "bitmaps": bitmaps.flatten().tolist(),
            "gt_index": gt_index.tolist(),
            "boxes": boxes.flatten().tolist(),
            "targets": out.to(torch.uint8).flatten().tolist(),
        })
    return cases


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "..", "tests", "VimDense.Tests", "Detection", "Data", "detectron2_mask_targets.json")
    data = {"mask_size": M, "polygon_cases": polygon_cases(), "bitmap_cases": bitmap_cases(),
            "torch": torch.__version__, "numpy": np.__version__}
    with open(out, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
