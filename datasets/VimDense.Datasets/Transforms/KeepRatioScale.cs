namespace VimDense.Datasets.Transforms;

/// <summary>Output sizes of the keep-ratio resizes used by mmcv and detectron2.</summary>
public static class KeepRatioScale
{
    /// <summary>
    /// mmcv <c>rescale_size</c> with a (long, short) scale: factor = min(long/max(h,w), short/min(h,w)),
    /// new size = (int(w·f + 0.5), int(h·f + 0.5)).
    /// </summary>
    public static (int Width, int Height) Mmcv(int width, int height, int longEdge, int shortEdge)
    {
        var (maxLong, maxShort) = (Math.Max(longEdge, shortEdge), Math.Min(longEdge, shortEdge));
        var factor = Math.Min((double)maxLong / Math.Max(height, width), (double)maxShort / Math.Min(height, width));
        return ((int)(width * factor + 0.5), (int)(height * factor + 0.5));
    }

    /// <summary>
    /// detectron2 <c>ResizeShortestEdge.get_output_shape</c>: scale the short side to <paramref name="shortEdge"/>,
    /// then shrink so the long side is at most <paramref name="maxSize"/>; round with int(x + 0.5).
    /// </summary>
    public static (int Width, int Height) ShortestEdge(int width, int height, int shortEdge, int maxSize)
    {
        double scale = (double)shortEdge / Math.Min(height, width);
        double newH, newW;
        if (height < width) { newH = shortEdge; newW = scale * width; }
        else { newH = scale * height; newW = shortEdge; }
        if (Math.Max(newH, newW) > maxSize)
        {
            var shrink = maxSize / Math.Max(newH, newW);
            newH *= shrink;
            newW *= shrink;
        }
        return ((int)(newW + 0.5), (int)(newH + 0.5));
    }

    /// <summary>
    /// detectron2 <c>ResizeScale</c>: scale = min(targetH·s/h, targetW·s/w); sizes rounded half-to-even like numpy.
    /// </summary>
    public static (int Width, int Height) ResizeScale(int width, int height, double s, int targetHeight, int targetWidth)
    {
        var scale = Math.Min(targetHeight * s / height, targetWidth * s / width);
        return ((int)Math.Round(width * scale, MidpointRounding.ToEven), (int)Math.Round(height * scale, MidpointRounding.ToEven));
    }
}
