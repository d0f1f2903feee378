using TorchSharp;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>Turns predicted <see cref="Instances"/> (tensors) into plain <see cref="Instance"/> values.</summary>
public static class DetectionExport
{
    /// <summary>
    /// The detections of one image, in their (score) order: XYXY_ABS boxes, scores, class indices and, when
    /// predicted, each mask as a row-major 0/1 bitmap of the masks' (output image) size.
    /// </summary>
    public static List<Instance> ToPlain(Instances detections)
    {
        var count = detections.Count;
        var result = new List<Instance>(count);
        if (count == 0) return result;
        var scoreTensor = detections.Scores ?? throw new ArgumentException("predicted instances need scores", nameof(detections));
        var boxes = detections.Boxes.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var scores = scoreTensor.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
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
            var mask = allMasks?.AsSpan(i * height * width, height * width).ToArray();
            result.Add(new Instance(boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3], (int)classes[i], [], mask)
            {
                Score = scores[i],
            });
        }
        return result;
    }
}
