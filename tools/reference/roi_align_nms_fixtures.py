#!/usr/bin/env python3
"""Regenerates tests/VimDense.Tests/Detection/Data/torchvision_roi_align_nms.json from torchvision.

Run with Debian's python3-torch / python3-torchvision (apt-get install python3-torchvision):
    /usr/bin/python3 tools/reference/roi_align_nms_fixtures.py
Never run by the tests; they read the committed JSON. Values are float64 (RoIAlign) so the comparison
can be tight. NMS cases use distinct scores: torchvision does not specify the order of exact ties.
"""
import json
import os

import torch
from torchvision.ops import batched_nms, nms, roi_align


def roi_align_case(seed, n, c, h, w, k, out, scale, ratio, aligned):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, c, h, w, generator=g, dtype=torch.float64) * 2 - 1
    extent = max(h, w) / scale
    x1 = torch.rand(k, generator=g, dtype=torch.float64) * extent * 1.2 - 0.2 * extent
    y1 = torch.rand(k, generator=g, dtype=torch.float64) * extent * 1.2 - 0.2 * extent
    bw = torch.rand(k, generator=g, dtype=torch.float64) * extent * 0.7
    bh = torch.rand(k, generator=g, dtype=torch.float64) * extent * 0.7
    b = torch.randint(0, n, (k,), generator=g).to(torch.float64)
    rois = torch.stack([b, x1, y1, x1 + bw, y1 + bh], 1)
    rois[0] = torch.tensor([0, -0.3 * extent, -0.2 * extent, 0.4 * extent, 0.5 * extent])  # partly outside
    rois[1] = torch.tensor([n - 1, 1.1 * extent, 1.2 * extent, 1.3 * extent, 1.4 * extent])  # fully outside
    upstream = torch.rand(k, c, out[0], out[1], generator=g, dtype=torch.float64) - 0.5
    xg = x.clone().requires_grad_(True)
    y = roi_align(xg, rois, output_size=out, spatial_scale=scale, sampling_ratio=ratio, aligned=aligned)
    (y * upstream).sum().backward()
    return {
        "input_shape": [n, c, h, w], "input": x.flatten().tolist(),
        "rois": rois.flatten().tolist(), "num_rois": k,
        "output_size": list(out), "spatial_scale": scale, "sampling_ratio": ratio, "aligned": aligned,
        "output": y.detach().flatten().tolist(),
        "upstream": upstream.flatten().tolist(), "grad_input": xg.grad.flatten().tolist(),
    }


def nms_case(seed, count, threshold, classes):
    g = torch.Generator().manual_seed(seed)
    centres = torch.randint(0, 4, (count, 2), generator=g).to(torch.float32) * 25
    centres += torch.rand(count, 2, generator=g) * 10
    sizes = torch.rand(count, 2, generator=g) * 30 + 5
    boxes = torch.cat([centres - sizes / 2, centres + sizes / 2], 1)
    scores = torch.randperm(count, generator=g).to(torch.float32) / count  # distinct
    idxs = torch.randint(0, classes, (count,), generator=g)
    return {
        "boxes": boxes.flatten().tolist(), "scores": scores.tolist(), "classes": idxs.tolist(),
        "iou_threshold": threshold,
        "keep": nms(boxes, scores, threshold).tolist(),
        "batched_keep": batched_nms(boxes, scores, idxs, threshold).tolist(),
    }


def main():
    data = {
        "generator": f"torch {torch.__version__}, torchvision (tools/reference/roi_align_nms_fixtures.py)",
        "roi_align": [
            roi_align_case(1, 2, 3, 9, 11, 12, (7, 7), 0.25, 0, True),
            roi_align_case(2, 1, 2, 16, 12, 10, (4, 5), 0.5, 2, True),
            roi_align_case(3, 2, 2, 8, 8, 8, (3, 3), 1.0, 0, False),
        ],
        "nms": [nms_case(4, 120, 0.5, 3), nms_case(5, 200, 0.7, 5), nms_case(6, 80, 0.3, 2)],
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "VimDense.Tests", "Detection", "Data",
                        "torchvision_roi_align_nms.json")
    with open(path, "w") as f:
        json.dump(data, f)
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
