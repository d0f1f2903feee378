using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>Turns the tensors of <see cref="Detections"/> into plain <see cref="ExportedDetection"/> values.</summary>
public static class DetectionExport
{
    /// <summary>The detections of one image, in their (score) order; masks are copied only when present.</summary>
    public static List<ExportedDetection> ToPlain(Detections detections)
    {
        var count = (int)detections.Boxes.shape[0];
        var result = new List<ExportedDetection>(count);
        if (count == 0) return result;
        var boxes = detections.Boxes.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var scores = detections.Scores.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var classes = detections.Classes.to(ScalarType.Int64).cpu().contiguous().data<long>().ToArray();
        int height = 0, width = 0;
        byte[]? allMasks = null;
        if (detections.Masks is { } masks)
        {
            height = (int)masks.shape[1];
            width = (int)masks.shape[2];
            allMasks = masks.to(ScalarType.Byte).cpu().contiguous().data<byte>().ToArray();
        }
        for (var i = 0; i < count; i++)
        {
            var box = new[] { boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2] - boxes[i * 4], boxes[i * 4 + 3] - boxes[i * 4 + 1] };
            var mask = allMasks?.AsSpan(i * height * width, height * width).ToArray();
            result.Add(new ExportedDetection(box, scores[i], (int)classes[i], mask, height, width));
        }
        return result;
    }
}
