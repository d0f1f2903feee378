using Newtonsoft.Json.Linq;
using OpenCvSharp;
using VimDense.Datasets.Ade20k;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Synthetic;
using VimDense.Experiments;
using VimDense.Structures;
using VimDense.Tests.Engine;

namespace VimDense.Tests.Experiments;

/// <summary>
/// A researcher's own data sets described by config (issue 15 item 1): a COCO file with categories 3, 7 and 12 and an
/// ADE-layout folder with five classes train, evaluate and predict from configs naming only their root and classes
/// (over a demo config); model.num_classes is taken from the data or checked against it. The sets are the synthetic
/// writers' images and masks, relabelled and without VimDense's synthetic.json.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class CustomDataSetTests
{
    internal static readonly string[] FiveClasses = ["sky", "road", "tree", "house", "car"];
    internal static readonly long[] CategoryIds = [3, 7, 12];
    private static readonly string[] CategoryNames = ["apple", "pear", "plum"];

    private static string Demo(string name) => Path.Combine(TestPaths.RepoRoot, "configs", "demo", name);

    /// <summary>Tiny runs: two iterations of batch 2, evaluation on two images, no periodic evaluation.</summary>
    internal static readonly string[] Tiny =
    [
        "schedule.iterations=2", "schedule.warmup_iters=1", "schedule.milestones=[1,2]", "data.batch_size=2", "data.workers=1",
        "train.checkpoint_interval=2", "train.eval_interval=1000", "train.log_interval=1", "train.overlay_images=1", "data.val_max_images=2",
    ];

    /// <summary>The synthetic COCO writer's set, its categories renumbered to 3, 7, 12 and renamed, synthetic.json removed.</summary>
    internal static string CustomCoco(string dir)
    {
        var root = Path.Combine(dir, "coco");
        SyntheticCocoWriter.Write(root, new SyntheticOptions { Images = 4, Classes = 3, Size = 64, Seed = 3 });
        File.Delete(Path.Combine(root, "synthetic.json"));
        foreach (var file in Directory.GetFiles(Path.Combine(root, "annotations"), "instances_*.json"))
        {
            var json = JObject.Parse(File.ReadAllText(file));
            var newId = ((JArray)json["categories"]!).Select((c, k) => ((long)c["id"]!, CategoryIds[k])).ToDictionary();
            json["categories"] = new JArray(CategoryIds.Select((id, k) => new JObject { ["id"] = id, ["name"] = CategoryNames[k], ["supercategory"] = "fruit" }));
            foreach (var a in (JArray)json["annotations"]!) a["category_id"] = newId[(long)a["category_id"]!];
            File.WriteAllText(file, json.ToString());
        }
        return root;
    }

    /// <summary>The synthetic ADE20K writer's five-class folder without synthetic.json.</summary>
    internal static string CustomAde(string dir)
    {
        var root = Path.Combine(dir, "ade");
        SyntheticAde20kWriter.Write(root, new SyntheticOptions { Images = 4, Classes = 5, Size = 32, Seed = 5 });
        File.Delete(Path.Combine(root, "synthetic.json"));
        return root;
    }

    private static string WriteConfig(string dir, string name, JObject config)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, config.ToString());
        return path;
    }

    /// <summary>A config over <paramref name="demo"/> naming only the data root (and classes); the demo's synthetic generation is switched off.</summary>
    internal static string CustomConfig(string dir, string demo, string root, string[]? classes = null)
    {
        var data = new JObject { ["root"] = root, ["synthetic"] = null };
        if (classes is not null) data["classes"] = new JArray(classes);
        return WriteConfig(dir, Path.GetFileNameWithoutExtension(demo) + "_custom.json", new JObject { ["base"] = Demo(demo), ["data"] = data });
    }

    [Fact]
    public void CocoSetWithCategories3And7And12TrainsEvaluatesAndPredictsWithTheFilesIds()
    {
        var dir = TestPaths.NewTempDir();
        var root = CustomCoco(dir);
        var config = CustomConfig(dir, "cascade_mask_rcnn_vim_tiny_synthetic.json", root);
        var experiment = Experiment.FromConfig<DetectionExperiment>(config, Tiny, Path.Combine(dir, "work"));

        var trained = experiment.Train();
        Assert.Equal(3, experiment.Config.Model.NumClasses);
        Assert.Equal(CategoryIds, experiment.Classes.CategoryIds);
        Assert.Equal(CategoryNames, experiment.Classes.Names);
        Assert.Contains("\"num_classes\": 3", File.ReadAllText(Path.Combine(experiment.WorkDir, "config.json")));

        // Evaluation writes the file's category ids.
        var evaluation = experiment.Evaluate(trained.Checkpoint, outDir: Path.Combine(dir, "eval"));
        var written = JArray.Parse(File.ReadAllText(evaluation.BboxResultsPath)).Select(r => (long)r["category_id"]!).ToHashSet();
        Assert.Subset(CategoryIds.ToHashSet(), written);

        // Ground truth mapped to train ids and back through the experiment's mapping scores AP 100: contiguous ids
        // inside, the file's ids outside, evaluation unchanged.
        var val = experiment.Dataset(experiment.Data.ValSplit, train: false);
        var results = new List<CocoAnnotation>();
        foreach (var image in val.Annotations.Images)
        {
            var perfect = val.Annotations.AnnotationsOf(image.Id).Where(a => !a.IsCrowd)
                .Select(a => Instance.FromBox(a.Bbox!, BoxMode.XywhAbs, val.Annotations.IndexOfCategory(a.CategoryId), []));
            results.AddRange(CocoDetectionResults.From(image.Id, image.Height, image.Width, perfect, experiment.Classes.CategoryIds!));
        }
        Assert.NotEmpty(results);
        Assert.Subset(CategoryIds.ToHashSet(), results.Select(r => r.CategoryId).ToHashSet());
        var scored = DetectionEvaluation.Score(val.Annotations.Path, val.Annotations.Images.Select(i => i.Id).ToHashSet(), results,
            masks: false, Path.Combine(dir, "perfect"));
        Assert.Equal(100, scored.Summary()["bbox_AP"], 6);

        // Prediction names the file's classes.
        var predictor = new DetectionPredictor(experiment, trained.Checkpoint);
        Assert.Equal(CategoryNames, predictor.ClassNames);
        var prediction = predictor.Predict(Path.Combine(val.ImageDir, val.ImageInfo(0).FileName));
        Assert.All(prediction.Detections, d => Assert.InRange(d.ClassIndex, 0, 2));
    }

    [Fact]
    public void AdeLayoutSetWithFiveClassesTrainsEvaluatesAndPredictsFromTheCli()
    {
        var dir = TestPaths.NewTempDir();
        var root = CustomAde(dir);
        var config = CustomConfig(dir, "upernet_vim_tiny_synthetic.json", root, FiveClasses);
        var work = Path.Combine(dir, "work");
        var set = Tiny.SelectMany(s => new[] { "--set", s }).ToArray();

        var (code, _, stderr) = CliRunner.Run(["train", config, "--work-dir", work, .. set]);
        Assert.True(code == 0, stderr);
        var checkpoint = Path.Combine(work, "iter_2.safetensors");
        Assert.True(File.Exists(checkpoint), stderr);
        Assert.Contains("\"num_classes\": 5", File.ReadAllText(Path.Combine(work, "config.json")));

        var evalDir = Path.Combine(dir, "eval");
        (code, var stdout, stderr) = CliRunner.Run(["eval", config, "--checkpoint", checkpoint, "--out", evalDir, "--max-images", "2", .. set]);
        Assert.True(code == 0, stderr);
        var metrics = JObject.Parse(File.ReadAllText(Path.Combine(evalDir, "metrics.json")));
        foreach (var name in FiveClasses) Assert.Contains(name, metrics.ToString());
        Assert.Equal(2, Directory.GetFiles(Path.Combine(evalDir, "predictions"), "*.png").Length);

        var predictDir = Path.Combine(dir, "predict");
        (code, _, stderr) = CliRunner.Run(["predict", config, "--checkpoint", checkpoint, "--images", Path.Combine(root, "images", "validation"),
            "--out", predictDir, .. set]);
        Assert.True(code == 0, stderr);
        Assert.NotEmpty(Directory.GetFiles(predictDir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void NumClassesIsCheckedAgainstTheDataNamingBothOrigins()
    {
        var dir = TestPaths.NewTempDir();
        var root = CustomAde(dir);
        var config = CustomConfig(dir, "upernet_vim_tiny_synthetic.json", root, FiveClasses);
        var experiment = Experiment.FromConfig<SegmentationExperiment>(config, ["model.num_classes=8"], Path.Combine(dir, "work"));
        var error = Assert.Throws<UserInputException>(() => experiment.BuildModel(loadPretrained: false));
        Assert.Contains("model.num_classes is 8 (from --set model.num_classes=8)", error.Message);
        Assert.Contains($"data.classes (from {config}) name 5 classes", error.Message);

        // The same count is accepted; "auto" takes it.
        Assert.Equal(5, Experiment.FromConfig<SegmentationExperiment>(config, ["model.num_classes=5"]).Classes.Count);
        var auto = Experiment.FromConfig<SegmentationExperiment>(config, ["model.num_classes=auto"]);
        _ = auto.Classes;
        Assert.Equal(5, auto.Config.Model.NumClasses);

        // An ADE-layout set without classes is ADE20K: 150 classes, as before.
        var ade20k = Experiment.FromConfig<SegmentationExperiment>(CustomConfig(dir, "upernet_vim_tiny_synthetic.json", root));
        Assert.Equal(Ade20kClasses.Names, ade20k.Classes.Names);
        Assert.Equal(150, ade20k.Config.Model.NumClasses);

        // COCO: the file's three categories against a number.
        var coco = CustomConfig(dir, "cascade_mask_rcnn_vim_tiny_synthetic.json", CustomCoco(dir));
        error = Assert.Throws<UserInputException>(() => Experiment.FromConfig<DetectionExperiment>(coco, ["model.num_classes=80"]).Classes);
        Assert.Contains("model.num_classes is 80 (from --set model.num_classes=80)", error.Message);
        Assert.Contains("instances_val2017.json name 3 classes", error.Message);
        error = Assert.Throws<UserInputException>(() => Experiment.FromConfig<DetectionExperiment>(coco, ["data.classes=[\"a\"]"]).Classes);
        Assert.Contains("a COCO file names its classes in 'categories'", error.Message);
    }

    [Fact]
    public void ClassesFilePaletteAndReduceZeroLabelAreRead()
    {
        var dir = TestPaths.NewTempDir();
        var root = CustomAde(dir);
        var classesFile = Path.Combine(dir, "classes.txt");
        File.WriteAllText(classesFile, string.Join("\n", FiveClasses) + "\n\n");
        var config = CustomConfig(dir, "upernet_vim_tiny_synthetic.json", root);
        var palette = "data.palette=[[1,2,3],[4,5,6],[7,8,9],[10,11,12],[13,14,15]]";
        var experiment = Experiment.FromConfig<SegmentationExperiment>(config, [$"data.classes_file={classesFile}", palette]);
        Assert.Equal(FiveClasses, experiment.ClassNames());
        Assert.Equal((10, 11, 12), ((int, int, int))(experiment.Classes.Palette[3].R, experiment.Classes.Palette[3].G, experiment.Classes.Palette[3].B));
        using (var black = new Mat(2, 2, MatType.CV_8UC3, Scalar.All(0)))
        using (var overlay = VimDense.Datasets.Visual.OverlayRenderer.Segmentation(black, [3, 3, 3, 3], 2, 2, palette: experiment.Classes.Palette))
            Assert.Equal(new Vec3b(6, 6, 5), overlay.At<Vec3b>(0, 2)); // half of (r, g, b) = (10, 11, 12), as BGR
        var reduced = experiment.Dataset("validation", train: false).Get(0, new Random(0)).Label;
        Assert.All(reduced, v => Assert.True(v < 5 || v == 255, $"label value {v}"));

        // The same labels stored as train ids (reduce_zero_label applied on disk) read with reduce_zero_label=false.
        var trainIds = Path.Combine(dir, "train_ids");
        foreach (var sub in new[] { "images", "annotations" })
            foreach (var file in Directory.GetFiles(Path.Combine(root, sub), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(trainIds, Path.GetRelativePath(root, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        foreach (var file in Directory.GetFiles(Path.Combine(trainIds, "annotations"), "*.png", SearchOption.AllDirectories))
        {
            using var label = Cv2.ImRead(file, ImreadModes.Unchanged);
            label.GetArray(out byte[] values);
            Ade20kLabels.ReduceZeroLabel(values);
            using var written = Mat.FromPixelData(label.Rows, label.Cols, MatType.CV_8UC1, values);
            Cv2.ImWrite(file, written);
        }
        var plain = Experiment.FromConfig<SegmentationExperiment>(CustomConfig(dir, "upernet_vim_tiny_synthetic.json", trainIds, FiveClasses),
            ["data.reduce_zero_label=false"]);
        Assert.Equal(reduced, plain.Dataset("validation", train: false).Get(0, new Random(0)).Label);

        var bad = Assert.Throws<UserInputException>(() => Experiment.FromConfig<SegmentationExperiment>(config, ["data.palette=[[1,2]]", $"data.classes_file={classesFile}"]).Classes);
        Assert.Contains("data.palette[0]", bad.Message);
    }
}
