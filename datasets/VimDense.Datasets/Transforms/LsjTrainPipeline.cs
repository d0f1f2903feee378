using OpenCvSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Structures;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// detectron2 ViTDet large-scale jitter, in its order: RandomFlip (first), ResizeScale s ~ U(min, max) to
/// s·ImageSize keeping the ratio (sizes rounded half-to-even), FixedSizeCrop with ONE uniform u shared by both
/// axes (offset = round(max_offset·u)), no padding. Polygons are flipped, scaled and clipped to the crop;
/// boxes are recomputed from the surviving polygons and empty instances dropped; then the image is
/// normalised (the collator pads to ImageSize with 0). Images are resized with PIL's bilinear filter (which
/// antialiases when shrinking) and bitmasks with PIL's nearest, both bit-exact (<see cref="PilResize"/>).
/// </summary>
public sealed class LsjTrainPipeline(DetectionPipelineOptions options) : IDetectionPipeline
{
    public DetectionPipelineOptions Options { get; } = options;

    public DetectionSample Apply(Mat bgr, IReadOnlyList<Instance> instances, CocoImage image, Random rng)
    {
        var o = Options;
        var (w, h) = (bgr.Width, bgr.Height);
        using var work = bgr.Clone();
        var items = instances.ToList();

        var flip = rng.NextDouble() < o.FlipProbability;
        if (flip)
        {
            Cv2.Flip(work, work, FlipMode.Y);
            items = InstanceGeometry.FlipHorizontal(items, w, h);
        }

        var s = o.ScaleRange.Min + rng.NextDouble() * (o.ScaleRange.Max - o.ScaleRange.Min);
        var (nw, nh) = KeepRatioScale.ResizeScale(w, h, s, o.ImageSize.Height, o.ImageSize.Width);
        (nw, nh) = (Math.Max(1, nw), Math.Max(1, nh));
        using var resized = PilResize.Resize(work, new Size(nw, nh), PilFilter.Bilinear);
        items = InstanceGeometry.Resize(items, w, h, nw, nh);

        var u = rng.NextDouble();
        var y0 = (int)Math.Round(Math.Max(nh - o.ImageSize.Height, 0) * u, MidpointRounding.ToEven);
        var x0 = (int)Math.Round(Math.Max(nw - o.ImageSize.Width, 0) * u, MidpointRounding.ToEven);
        var window = new Rect(x0, y0, Math.Min(o.ImageSize.Width, nw - x0), Math.Min(o.ImageSize.Height, nh - y0));
        using var cropped = new Mat(resized, window).Clone();
        items = InstanceGeometry.Crop(items, x0, y0, o.ImageSize.Width, o.ImageSize.Height, nw, nh);
        if (o.RecomputeBoxes) items = InstanceGeometry.RecomputeBoxes(items, window.Width);
        items = InstanceGeometry.FilterEmpty(items);

        return new DetectionSample
        {
            ImageId = image.Id,
            FileName = image.FileName,
            OriginalHeight = h,
            OriginalWidth = w,
            Image = ChwConversion.ToNormalizedChw(cropped, o.Normalize, window.Height, window.Width),
            Height = window.Height,
            Width = window.Width,
            Instances = items,
            ScaleX = (double)nw / w,
            ScaleY = (double)nh / h,
            Flipped = flip,
        };
    }
}
