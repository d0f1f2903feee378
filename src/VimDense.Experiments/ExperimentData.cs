using VimDense.Config;
using VimDense.Datasets;
using VimDense.Datasets.Synthetic;

namespace VimDense.Experiments;

/// <summary>The data step shared by segmentation and detection experiments.</summary>
internal static class ExperimentData
{
    /// <summary>
    /// Generates the synthetic data set when the config asks for one and it is absent, then checks that
    /// <c>data.root</c> exists.
    /// </summary>
    /// <param name="format">Data set name for messages ("ADE20K", "COCO").</param>
    /// <param name="layout">What a real data set at data.root looks like, for the not-found message.</param>
    public static void Prepare(DataConfig data, string format, Action<string, SyntheticOptions> writeSynthetic, string layout)
    {
        var root = data.Root;
        if (data.Synthetic is { } s && !File.Exists(Path.Combine(root, SyntheticFolder.Marker)))
        {
            Console.Error.WriteLine($"generating synthetic {format}-format data in {root}");
            writeSynthetic(root, new SyntheticOptions { Images = s.Images, Classes = s.Classes, Size = s.Size, Seed = s.Seed });
        }
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"data.root: {root} not found ({layout} expected)");
    }

    /// <summary>
    /// Checks model.num_classes against the data set's classes, or sets it from them when it is "auto" (null).
    /// <paramref name="classes"/> null means the data set's classes are not readable here (e.g. `predict` without the
    /// data set): a number is then taken as it is.
    /// </summary>
    public static void ResolveNumClasses(ExperimentConfig config, DatasetClasses? classes, string unreadable)
    {
        var origin = config.Data.Origins.Describe("model.num_classes");
        switch (config.Model.NumClasses, classes)
        {
            case (null, null):
                throw new UserInputException($"model.num_classes is auto (from {origin}) but {unreadable}: set model.num_classes or make the data set readable");
            case (null, { } c):
                config.Model.NumClasses = c.Count;
                break;
            case ({ } n, { } c) when n != c.Count:
                throw new UserInputException($"model.num_classes is {n} (from {origin}) but {c.Source} name {c.Count} classes (omit model.num_classes or set it to \"auto\" to take it from the data)");
        }
    }

    /// <summary>data.palette as colours (null when absent); each entry must be [r, g, b] in 0..255.</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)>? Palette(ExperimentConfig config, DataConfig data)
    {
        if (data.Palette is not { } palette) return null;
        var colours = new List<(byte, byte, byte)>(palette.Count);
        for (var k = 0; k < palette.Count; k++)
        {
            var c = palette[k];
            if (c is not { Length: 3 } || c.Any(v => v is < 0 or > 255))
                throw new UserInputException($"data.palette[{k}] (from {config.Data.DescribeOrigin("palette")}): expected [r, g, b] with values in 0..255");
            colours.Add(((byte)c[0], (byte)c[1], (byte)c[2]));
        }
        return colours;
    }
}
