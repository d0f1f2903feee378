// Scripted training with the experiments API (as mmengine's Runner or detectron2's DefaultTrainer/DefaultPredictor):
// build the demo segmentation experiment from its config, change two values in code, train, evaluate the
// checkpoint, and segment one image with a predictor.
//
//   dotnet run --project tools/examples/ScriptedTraining -c Release -- [--iterations N] [--work-dir DIR]
using VimDense.Experiments;

// The OpenMP runtimes read how to wait when they load: ask for a short spin first, as vimdense does.
VimDense.Native.OpenMpEnvironment.PreferShortSpinning();

var iterations = int.Parse(Option("--iterations") ?? "60", System.Globalization.CultureInfo.InvariantCulture);
var config = FindUpwards(Path.Combine("configs", "demo", "upernet_vim_tiny_synthetic.json"));

// The config is parsed once; everything built afterwards reads the values changed here.
var experiment = Experiment.FromConfig<SegmentationExperiment>(config, workDir: Option("--work-dir") ?? "work_dirs/scripted_training");
experiment.Config.Schedule.Iterations = iterations;
experiment.Config.Optimizer.Lr = 2e-3;

var training = experiment.Train();
Console.WriteLine($"trained {iterations} iterations: mIoU {training.Evaluation.Summary()["mIoU"]:F2}, checkpoint {training.Checkpoint}");

var evaluation = experiment.Evaluate(training.Checkpoint, maxImages: 4);
Console.WriteLine($"evaluated {evaluation.Metrics.Images} validation images: mIoU {evaluation.Metrics.MIoU:F2}, aAcc {evaluation.Metrics.AAcc:F2}");

var predictor = new SegmentationPredictor(experiment, training.Checkpoint);
var image = experiment.Dataset(experiment.Data.ValSplit, train: false).Files(0).Image;
using var prediction = predictor.Predict(image);
var classes = prediction.Labels.GroupBy(label => label).OrderByDescending(g => g.Count())
    .Select(g => $"{predictor.ClassNames[g.Key]} {100.0 * g.Count() / prediction.Labels.Length:F0}%");
Console.WriteLine($"predicted {Path.GetFileName(image)} ({prediction.Width}x{prediction.Height}): {string.Join(", ", classes)}");

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

// The config ships with the repository: look for it above the working directory and above the program.
static string FindUpwards(string relative)
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
    throw new FileNotFoundException($"{relative} not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}");
}
