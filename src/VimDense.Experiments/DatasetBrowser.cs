using OpenCvSharp;

namespace VimDense.Experiments;

/// <summary>
/// mmdet's browse_dataset: the first samples of a split through the config's training (augmenting) or test pipeline,
/// drawn with their labels by <see cref="SampleOverlay"/>, one PNG per sample named &lt;index&gt;.png.
/// </summary>
public static class DatasetBrowser
{
    /// <param name="split">a split name the data set knows; null: the config's data.train_split</param>
    /// <param name="augment">through the training pipeline (else the test pipeline)</param>
    /// <param name="seed">seeds the augmentation, so the same call draws the same samples</param>
    public static IReadOnlyList<string> Write(Experiment experiment, string outDir, int count, string? split = null, bool augment = true, int seed = 0)
    {
        if (count <= 0) throw new UserInputException($"--count must be positive, got {count}");
        var rng = new Random(seed);
        Directory.CreateDirectory(outDir);
        var paths = new List<string>();
        void Save(int index, Mat picture)
        {
            using (picture)
            {
                var path = Path.Combine(outDir, $"{index:D4}.png");
                if (!Cv2.ImWrite(path, picture)) throw new UserInputException($"{path}: cannot write the image");
                paths.Add(path);
            }
        }
        switch (experiment)
        {
            case SegmentationExperiment segmentation:
            {
                var dataset = segmentation.Dataset(split ?? segmentation.Data.TrainSplit, augment);
                var norm = segmentation.PipelineOptions().Normalize;
                for (var i = 0; i < Math.Min(count, dataset.Count); i++) Save(i, SampleOverlay.Segmentation(dataset.Get(i, rng), norm, segmentation.Classes.Palette));
                break;
            }
            case DetectionExperiment detection:
            {
                var dataset = detection.Dataset(split ?? detection.Data.TrainSplit, augment);
                var (norm, names) = (detection.PipelineOptions().Normalize, detection.ClassNames(dataset));
                for (var i = 0; i < Math.Min(count, dataset.Count); i++) Save(i, SampleOverlay.Detection(dataset.Get(i, rng), norm, names));
                break;
            }
            default:
                throw new ArgumentException($"unknown experiment type {experiment.GetType().Name}", nameof(experiment));
        }
        return paths;
    }
}
