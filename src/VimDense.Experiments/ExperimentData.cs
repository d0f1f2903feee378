using VimDense.Config;
using VimDense.Datasets.Synthetic;

namespace VimDense.Experiments;

/// <summary>The data step shared by segmentation and detection experiments.</summary>
internal static class ExperimentData
{
    /// <summary>
    /// Generates the synthetic data set when the config asks for one and it is absent, then checks that
    /// <c>data.root</c> exists and holds as many classes as <c>model.num_classes</c>.
    /// </summary>
    /// <param name="format">Data set name for messages ("ADE20K", "COCO").</param>
    /// <param name="layout">What a real data set at data.root looks like, for the not-found message.</param>
    /// <param name="realClasses">Class count of the real data set (a synthetic one records its own).</param>
    public static void Prepare(ExperimentConfig config, DataConfig data, string format, Action<string, SyntheticOptions> writeSynthetic,
        string layout, int realClasses)
    {
        var root = data.Root;
        if (data.Synthetic is { } s && !File.Exists(Path.Combine(root, SyntheticFolder.Marker)))
        {
            Console.Error.WriteLine($"generating synthetic {format}-format data in {root}");
            writeSynthetic(root, new SyntheticOptions { Images = s.Images, Classes = s.Classes, Size = s.Size, Seed = s.Seed });
        }
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"data.root: {root} not found ({layout} expected)");
        var classes = SyntheticInfo.NumClasses(root) ?? realClasses;
        if (classes != config.Model.NumClasses)
            throw new UserInputException($"model.num_classes is {config.Model.NumClasses} but the data set at {root} has {classes} classes");
    }
}
