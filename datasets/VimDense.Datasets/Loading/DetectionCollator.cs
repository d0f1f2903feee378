using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Datasets.Loading;

/// <summary>
/// Stacks detection samples into a <see cref="DetectionBatch"/>, padding every image to at least
/// <paramref name="padHeight"/>×<paramref name="padWidth"/> (ViTDet's square_pad 1024) or to the largest sample.
/// With <paramref name="withMasks"/>, each image's instances also carry their mask targets
/// (<see cref="GroundTruthMasks"/>: polygons rasterised per proposal box, bitmaps at the image's size), never
/// full-image rasters of every instance.
/// </summary>
public sealed class DetectionCollator(int padHeight, int padWidth, bool withMasks = false)
{
    public DetectionBatch Collate(IReadOnlyList<DetectionSample> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("cannot collate an empty batch");
        var h = Math.Max(padHeight, samples.Max(s => s.Height));
        var w = Math.Max(padWidth, samples.Max(s => s.Width));
        var images = new float[samples.Count * 3 * h * w];
        var targets = new List<Instances>(samples.Count);
        for (var b = 0; b < samples.Count; b++)
        {
            var s = samples[b];
            for (var c = 0; c < 3; c++)
            for (var y = 0; y < s.Height; y++)
                s.Image.AsSpan((c * s.Height + y) * s.Width, s.Width).CopyTo(images.AsSpan(((b * 3 + c) * h + y) * w, s.Width));
            targets.Add(Target(s));
        }
        return new DetectionBatch
        {
            Images = tensor(images, [samples.Count, 3, h, w]),
            Targets = targets,
            Samples = samples.Select(s => new DetectionSampleInfo(s.ImageId, s.FileName, s.OriginalHeight, s.OriginalWidth,
                s.Height, s.Width, s.ScaleX, s.ScaleY, s.Flipped)).ToList(),
        };
    }

    private Instances Target(DetectionSample s)
    {
        var n = s.Instances.Count;
        var boxes = new float[n * 4];
        var classes = new long[n];
        for (var i = 0; i < n; i++)
        {
            var inst = s.Instances[i];
            (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]) = ((float)inst.X1, (float)inst.Y1, (float)inst.X2, (float)inst.Y2);
            classes[i] = inst.ClassIndex;
        }
        return new Instances
        {
            Boxes = tensor(boxes, [n, 4]),
            Classes = tensor(classes, [n]),
            Polygons = s.Instances.Select(i => i.Polygons).ToList(),
            GtMasks = withMasks ? new GroundTruthMasks(s.Instances, s.Height, s.Width) : null,
        };
    }
}
