"""ctypes face of libvimdense_native (native/include/*.h) for PyTorch tensors.

Each wrapper takes tensors on one device (CPU, or one CUDA GPU), passes their storage pointers with the device
index the C ABI expects (-1 for CPU) and the stream PyTorch is using, and raises on a non-zero status with the
library's own message. Used by the GPU check (eng/device/run.sh); nothing here is part of the .NET build.
"""
import ctypes

import torch

VD_DTYPES = {torch.float32: 0, torch.float64: 1, torch.float16: 2, torch.bfloat16: 3}

I64, I32, PTR = ctypes.c_int64, ctypes.c_int32, ctypes.c_void_p


class ScanShape(ctypes.Structure):
    _fields_ = [(n, I64) for n in ("batch", "dim", "length", "dstate", "groups", "x_stride_batch", "x_stride_dim",
                                   "bc_stride_batch", "bc_stride_group", "bc_stride_state")] + \
               [(n, I32) for n in ("dtype", "delta_softplus", "reverse", "device")]


class Conv1dShape(ctypes.Structure):
    _fields_ = [(n, I64) for n in ("batch", "dim", "length", "width", "x_stride_batch", "x_stride_dim")] + \
               [(n, I32) for n in ("dtype", "silu", "reverse", "device")]


class RoiAlignShape(ctypes.Structure):
    _fields_ = [(n, I64) for n in ("batch", "channels", "height", "width", "num_rois", "pooled_height",
                                   "pooled_width")] + \
               [("spatial_scale", ctypes.c_double)] + \
               [(n, I32) for n in ("sampling_ratio", "aligned", "dtype", "device")]


class NativeLibrary:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        lib = self.lib
        for name, res, args in [
            ("vd_version", ctypes.c_char_p, []),
            ("vd_has_cuda", ctypes.c_int, []),
            ("vd_cuda_device_count", ctypes.c_int, []),
            ("vd_last_error", ctypes.c_char_p, []),
            ("vd_cpu_threads", ctypes.c_int, []),
            ("vd_selective_scan_checkpoint_bytes", I64, [ctypes.POINTER(ScanShape)]),
            ("vd_selective_scan_fwd", ctypes.c_int, [ctypes.POINTER(ScanShape)] + [PTR] * 11),
            ("vd_selective_scan_bwd", ctypes.c_int, [ctypes.POINTER(ScanShape)] + [PTR] * 19),
            ("vd_causal_conv1d_fwd", ctypes.c_int, [ctypes.POINTER(Conv1dShape)] + [PTR] * 5),
            ("vd_causal_conv1d_bwd", ctypes.c_int, [ctypes.POINTER(Conv1dShape)] + [PTR] * 8),
            ("vd_roi_align_forward", ctypes.c_int, [ctypes.POINTER(RoiAlignShape)] + [PTR] * 4),
            ("vd_roi_align_backward", ctypes.c_int, [ctypes.POINTER(RoiAlignShape)] + [PTR] * 4),
            ("vd_nms", ctypes.c_int, [I32, I32, PTR, PTR, I64, ctypes.c_double, ctypes.POINTER(I64),
                                      ctypes.POINTER(I64), PTR]),
        ]:
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args

    def version(self):
        return self.lib.vd_version().decode()

    def has_cuda(self):
        return bool(self.lib.vd_has_cuda())

    def cuda_device_count(self):
        return self.lib.vd_cuda_device_count()

    def cpu_threads(self):
        return self.lib.vd_cpu_threads()

    def _check(self, status, what):
        if status != 0:
            raise RuntimeError(f"{what}: status {status}: {self.lib.vd_last_error().decode()}")

    # --- selective scan ------------------------------------------------------------------------
    def _scan_shape(self, u, A, B, softplus, reverse):
        batch, dim, length = u.shape
        _, groups, dstate, _ = B.shape
        return ScanShape(batch, dim, length, dstate, groups, u.stride(0), u.stride(1),
                         B.stride(0), B.stride(1), B.stride(2),
                         VD_DTYPES[u.dtype], int(softplus), int(reverse), _device(u))

    def scan_fwd(self, u, delta, A, B, C, D, z, delta_bias, softplus=True, reverse=False, out=None, checkpoints=None):
        """Returns (out, checkpoints); pass both back in to reuse them (timing without allocations)."""
        shape = self._scan_shape(u, A, B, softplus, reverse)
        out = torch.empty_like(u) if out is None else out
        nbytes = self.lib.vd_selective_scan_checkpoint_bytes(ctypes.byref(shape))
        if checkpoints is None and nbytes > 0:
            checkpoints = torch.empty(nbytes, dtype=torch.uint8, device=u.device)
        self._check(self.lib.vd_selective_scan_fwd(ctypes.byref(shape), _p(u), _p(delta), _p(A), _p(B), _p(C), _p(D),
                                                   _p(z), _p(delta_bias), _p(out), _p(checkpoints), _stream(u)),
                    "vd_selective_scan_fwd")
        return out, checkpoints

    def scan_bwd(self, u, delta, A, B, C, D, z, delta_bias, dout, checkpoints=None, softplus=True, reverse=False,
                 grads=None):
        """Returns [du, ddelta, dA, dB, dC, dD, dz, ddelta_bias]; pass that list back in to reuse it."""
        shape = self._scan_shape(u, A, B, softplus, reverse)
        if grads is None:
            grads = [torch.zeros_like(t) if t is not None else None for t in (u, delta, A, B, C, D, z, delta_bias)]
        du, ddelta, dA, dB, dC, dD, dz, ddelta_bias = grads
        self._check(self.lib.vd_selective_scan_bwd(ctypes.byref(shape), _p(u), _p(delta), _p(A), _p(B), _p(C), _p(D),
                                                   _p(z), _p(delta_bias), _p(dout), _p(du), _p(ddelta), _p(dA),
                                                   _p(dB), _p(dC), _p(dD), _p(dz), _p(ddelta_bias), _p(checkpoints),
                                                   _stream(u)),
                    "vd_selective_scan_bwd")
        return grads

    # --- causal conv1d -------------------------------------------------------------------------
    def _conv_shape(self, x, weight, silu, reverse):
        batch, dim, length = x.shape
        return Conv1dShape(batch, dim, length, weight.shape[1], x.stride(0), x.stride(1),
                           VD_DTYPES[x.dtype], int(silu), int(reverse), _device(x))

    def conv1d_fwd(self, x, weight, bias, silu=True, reverse=False):
        shape, out = self._conv_shape(x, weight, silu, reverse), torch.empty_like(x)
        self._check(self.lib.vd_causal_conv1d_fwd(ctypes.byref(shape), _p(x), _p(weight), _p(bias), _p(out),
                                                  _stream(x)), "vd_causal_conv1d_fwd")
        return out

    def conv1d_bwd(self, x, weight, bias, dout, silu=True, reverse=False):
        shape = self._conv_shape(x, weight, silu, reverse)
        dx, dweight = torch.zeros_like(x), torch.zeros_like(weight)
        dbias = torch.zeros_like(bias) if bias is not None else None
        self._check(self.lib.vd_causal_conv1d_bwd(ctypes.byref(shape), _p(x), _p(weight), _p(bias), _p(dout),
                                                  _p(dx), _p(dweight), _p(dbias), _stream(x)), "vd_causal_conv1d_bwd")
        return dx, dweight, dbias

    # --- detection -----------------------------------------------------------------------------
    def _roi_shape(self, features, rois, pooled, spatial_scale, sampling_ratio, aligned):
        n, c, h, w = features.shape
        return RoiAlignShape(n, c, h, w, rois.shape[0], pooled[0], pooled[1], spatial_scale, sampling_ratio,
                             int(aligned), VD_DTYPES[features.dtype], _device(features))

    def roi_align_fwd(self, features, rois, pooled, spatial_scale, sampling_ratio, aligned):
        shape = self._roi_shape(features, rois, pooled, spatial_scale, sampling_ratio, aligned)
        out = torch.empty((rois.shape[0], features.shape[1], pooled[0], pooled[1]), dtype=features.dtype,
                          device=features.device)
        self._check(self.lib.vd_roi_align_forward(ctypes.byref(shape), _p(features), _p(rois), _p(out),
                                                  _stream(features)), "vd_roi_align_forward")
        return out

    def roi_align_bwd(self, features, rois, grad_out, pooled, spatial_scale, sampling_ratio, aligned):
        shape = self._roi_shape(features, rois, pooled, spatial_scale, sampling_ratio, aligned)
        grad_in = torch.empty_like(features)
        self._check(self.lib.vd_roi_align_backward(ctypes.byref(shape), _p(grad_out), _p(rois), _p(grad_in),
                                                   _stream(features)), "vd_roi_align_backward")
        return grad_in

    def nms(self, boxes, scores, iou_threshold):
        count = boxes.shape[0]
        keep, kept = (I64 * max(count, 1))(), I64(0)
        self._check(self.lib.vd_nms(VD_DTYPES[boxes.dtype], _device(boxes), _p(boxes), _p(scores), count,
                                    iou_threshold, keep, ctypes.byref(kept), _stream(boxes)), "vd_nms")
        return list(keep[:kept.value])


def _p(t):
    if t is None:
        return None
    assert t.is_contiguous(), "the check passes dense tensors only"
    return ctypes.c_void_p(t.data_ptr())


def _device(t):
    return -1 if t.device.type == "cpu" else t.device.index


def _stream(t):
    # NULL on CPU; on a GPU the stream PyTorch queues on (0 = the legacy default stream).
    return None if t.device.type == "cpu" else ctypes.c_void_p(torch.cuda.current_stream(t.device).cuda_stream)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)
