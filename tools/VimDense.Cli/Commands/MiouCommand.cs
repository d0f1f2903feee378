using VimDense.Datasets.Ade20k;
using System.CommandLine;
using Newtonsoft.Json;
using VimDense.Datasets.Evaluation;

namespace VimDense.Cli.Commands;

/// <summary>`vimdense miou`: mmseg-style aAcc/mIoU/mAcc of a folder of predicted label PNGs against ground-truth PNGs.</summary>
public sealed class MiouCommand : ICliCommand
{
    public Command Build()
    {
        var gt = new Option<string>("--gt") { Description = "Folder of ground-truth label PNGs (8-bit, one class index per pixel)", Required = true };
        var pred = new Option<string>("--pred") { Description = "Folder of predicted label PNGs, matched to --gt by file name without extension", Required = true };
        var classes = new Option<int>("--num-classes") { Description = "Number of classes", DefaultValueFactory = _ => 150 };
        var reduceZero = new Option<bool>("--reduce-zero-label") { Description = "Map gt 0 to ignore and k to k-1 (ADE20K)" };
        var predReduceZero = new Option<bool>("--pred-reduce-zero-label") { Description = "Predictions are in the data set's encoding (eval --out of an ADE20K config: 1..150, 0 = other): map 0 to ignore and k to k-1 as the ground truth" };
        var ignore = new Option<int>("--ignore-index") { Description = "Ground-truth value that is not evaluated", DefaultValueFactory = _ => 255 };
        var names = new Option<string?>("--class-names") { Description = "Text file with one class name per line (default: the ADE20K names when --num-classes is 150)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("miou", "Semantic segmentation metrics (aAcc, mIoU, mAcc, per-class IoU/Acc) as mmseg's IoUMetric");
        foreach (var o in new Option[] { gt, pred, classes, reduceZero, predReduceZero, ignore, names, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var result = Evaluate(parse.GetValue(gt)!, parse.GetValue(pred)!, parse.GetValue(classes), parse.GetValue(ignore),
                parse.GetValue(reduceZero), parse.GetValue(names), parse.GetValue(predReduceZero));
            Console.Out.Write(parse.GetValue(json) ? result.ToJson().ToString(Formatting.Indented) + Environment.NewLine : result.FormatTable());
            return 0;
        });
        return command;
    }

    internal static SegmentationMetricResult Evaluate(string gtDir, string predDir, int numClasses, int ignoreIndex, bool reduceZeroLabel, string? classNamesFile,
        bool predReduceZeroLabel = false)
    {
        if (numClasses <= 0) throw new UserInputException($"--num-classes must be positive, got {numClasses}");
        if (!Directory.Exists(gtDir)) throw new DirectoryNotFoundException($"--gt folder not found: {gtDir}");
        if (!Directory.Exists(predDir)) throw new DirectoryNotFoundException($"--pred folder not found: {predDir}");
        string[]? classNames = null;
        if (classNamesFile is not null)
        {
            if (!File.Exists(classNamesFile)) throw new FileNotFoundException($"--class-names file not found: {classNamesFile}", classNamesFile);
            classNames = File.ReadAllLines(classNamesFile).Where(l => l.Trim().Length > 0).Select(l => l.Trim()).ToArray();
            if (classNames.Length != numClasses)
                throw new UserInputException($"{classNamesFile}: {classNames.Length} class names for --num-classes {numClasses}");
        }
        else if (numClasses == Ade20kClasses.Names.Count)
        {
            classNames = Ade20kClasses.Names.ToArray(); // 150 classes: the ADE20K names, as mmseg prints them
        }
        var gtFiles = Directory.GetFiles(gtDir, "*.png").Order(StringComparer.Ordinal).ToArray();
        if (gtFiles.Length == 0) throw new UserInputException($"--gt folder {gtDir} holds no .png files");
        var predictions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(predDir, "*.png"))
            predictions[Path.GetFileNameWithoutExtension(file)] = file;
        // Check every pairing before the (long) evaluation, so a missing file fails fast.
        var pairs = gtFiles.Select(g => (Gt: g, Pred: predictions.GetValueOrDefault(Path.GetFileNameWithoutExtension(g))
            ?? throw new UserInputException($"no prediction for {g}: expected {Path.Combine(predDir, Path.GetFileNameWithoutExtension(g))}.png"))).ToArray();
        if (predictions.Count > pairs.Length)
            Console.Error.WriteLine($"miou: {predictions.Count - pairs.Length} prediction file(s) without ground truth are ignored");

        var metric = new SegmentationMetric(numClasses, ignoreIndex, reduceZeroLabel);
        var done = 0;
        ParallelRunner.For(pairs.Length, index =>
        {
            var pair = pairs[index];
            var (label, lh, lw) = SegmentationPng.Read(pair.Gt);
            var (prediction, ph, pw) = SegmentationPng.Read(pair.Pred);
            // A prediction of "other" (0) becomes 255, which no class matches: it counts as wrong wherever the ground truth has a class.
            if (predReduceZeroLabel) Ade20kLabels.ReduceZeroLabel(prediction);
            if (lh != ph || lw != pw)
                throw new UserInputException($"{pair.Pred}: prediction is {pw}x{ph} but the ground truth {pair.Gt} is {lw}x{lh}");
            metric.Add(prediction, label);
            var n = Interlocked.Increment(ref done);
            if (n % 500 == 0) Console.Error.WriteLine($"miou: {n}/{pairs.Length} images");
        });
        return metric.Compute(classNames);
    }
}
