using Newtonsoft.Json.Linq;
using OpenCvSharp;
using VimDense.Checkpoints;
using VimDense.Datasets.Ade20k;
using VimDense.Datasets.Evaluation;
using VimDense.Experiments;
using VimDense.Tests.Checkpoints;
using VimDense.Tests.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Experiments;

/// <summary>
/// Outputs other tools read (issue 15 item 5): label PNGs in the data set's encoding that the repository's own miou
/// scores as eval does, format-only for unannotated splits of both tasks (exit 0), predict --json, train --load-from
/// a whole model (also from an exported .pth), and one-line errors naming the kind of checkpoint a command needs.
/// The data are <see cref="CustomDataSetTests"/>' own sets (five ADE-layout classes; COCO categories 3, 7, 12).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class OutputsForOtherToolsTests
{
    private static string[] Set(IEnumerable<string> overrides) => overrides.SelectMany(s => new[] { "--set", s }).ToArray();

    private static readonly string[] TinySet = Set(CustomDataSetTests.Tiny);

    [Fact]
    public void DatasetEncodingIsTheInverseOfReduceZeroLabel()
    {
        var trainIds = Enumerable.Range(0, 254).Select(v => (byte)v).Append((byte)255).ToArray();
        var encoded = (byte[])trainIds.Clone();
        Ade20kLabels.ToDatasetEncoding(encoded, reduceZeroLabel: true);
        Assert.Equal(1, encoded[0]);
        Assert.Equal(150, encoded[149]);
        Assert.Equal(0, encoded[^1]); // ignore → "other"
        Ade20kLabels.ReduceZeroLabel(encoded);
        Assert.Equal(trainIds, encoded);
        var plain = (byte[])trainIds.Clone();
        Ade20kLabels.ToDatasetEncoding(plain, reduceZeroLabel: false);
        Assert.Equal(trainIds, plain);
    }

    [Fact]
    public void SegmentationPngsScoreAsEvalFormatOnlyNeedsNoAnnotationsAndLoadFromTakesAWholeModel()
    {
        var dir = TestPaths.NewTempDir();
        var root = CustomDataSetTests.CustomAde(dir);
        var config = CustomDataSetTests.CustomConfig(dir, "upernet_vim_tiny_synthetic.json", root, CustomDataSetTests.FiveClasses);
        var trained = Experiment.FromConfig<SegmentationExperiment>(config, CustomDataSetTests.Tiny, Path.Combine(dir, "work")).Train();

        // eval --out: PNGs in ADE20K's encoding (classes 1..5), which miou --pred-reduce-zero-label scores exactly as eval did.
        var evalDir = Path.Combine(dir, "eval");
        var (code, _, stderr) = CliRunner.Run(["eval", config, "--checkpoint", trained.Checkpoint, "--out", evalDir, .. TinySet, "--set", "data.val_max_images=0"]);
        Assert.True(code == 0, stderr);
        var predictions = Path.Combine(evalDir, "predictions");
        var pngs = Directory.GetFiles(predictions, "*.png").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(pngs);
        Assert.All(pngs, p => Assert.All(SegmentationPng.Read(p).Pixels, v => Assert.InRange(v, (byte)1, (byte)5)));
        var evalMiou = (double)JObject.Parse(File.ReadAllText(Path.Combine(evalDir, "metrics.json")))["metrics"]!["mIoU"]!;
        (code, var stdout, stderr) = CliRunner.Run(["miou", "--gt", Path.Combine(root, "annotations", "validation"), "--pred", predictions,
            "--num-classes", "5", "--reduce-zero-label", "--pred-reduce-zero-label", "--json"]);
        Assert.True(code == 0, stderr);
        Assert.Equal(evalMiou, (double)JObject.Parse(stdout)["mIoU"]!, 6);

        // Format-only on an unannotated split: the same PNGs for the same images; no annotations/testing exists.
        var testing = Path.Combine(root, "images", "testing");
        Directory.CreateDirectory(testing);
        foreach (var image in Directory.GetFiles(Path.Combine(root, "images", "validation"))) File.Copy(image, Path.Combine(testing, Path.GetFileName(image)));
        var formatDir = Path.Combine(dir, "format_only");
        (code, stdout, stderr) = CliRunner.Run(["eval", config, "--checkpoint", trained.Checkpoint, "--format-only", "--out", formatDir, .. TinySet, "--set", "test.split=testing"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("format-only", stdout);
        var formatted = Directory.GetFiles(Path.Combine(formatDir, "predictions"), "*.png").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(pngs.Select(Path.GetFileName), formatted.Select(Path.GetFileName));
        for (var i = 0; i < pngs.Count; i++) Assert.Equal(SegmentationPng.Read(pngs[i]).Pixels, SegmentationPng.Read(formatted[i]).Pixels);

        // predict --json: the label PNGs alone, the same again.
        var predictDir = Path.Combine(dir, "predict");
        (code, _, stderr) = CliRunner.Run(["predict", config, "--checkpoint", trained.Checkpoint, "--images", testing, "--out", predictDir, "--json", .. TinySet]);
        Assert.True(code == 0, stderr);
        Assert.Empty(Directory.GetFiles(predictDir, "*_overlay.png"));
        Assert.Equal(SegmentationPng.Read(formatted[0]).Pixels, SegmentationPng.Read(Path.Combine(predictDir, Path.GetFileName(formatted[0]))).Pixels);

        // load_from an exported .pth: a fresh run (iteration 1, not 3) from exactly those weights (lr 0 keeps them).
        var exported = Path.Combine(dir, "model.pth");
        (code, _, stderr) = CliRunner.Run(["convert", trained.Checkpoint, exported]);
        Assert.True(code == 0, stderr);
        var second = Path.Combine(dir, "work2");
        (code, _, stderr) = CliRunner.Run(["train", config, "--load-from", exported, "--work-dir", second, .. TinySet,
            "--set", "schedule.iterations=1", "--set", "optimizer.lr=0", "--set", "train.checkpoint_interval=1"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("load_from", stderr);
        var before = SafeTensors.Load(trained.Checkpoint);
        var after = SafeTensors.Load(Path.Combine(second, "iter_1.safetensors"));
        foreach (var name in new[] { "model.backbone.patch_embed.proj.weight", "model.decode_head.conv_seg.weight" })
            TensorAssert.Identical(before[name], after[name], name);
        Assert.Contains("\"load_from\"", File.ReadAllText(Path.Combine(second, "config.json")));
    }

    [Fact]
    public void DetectionFormatOnlyAndPredictJsonKeepTheFilesIds()
    {
        var dir = TestPaths.NewTempDir();
        var root = CustomDataSetTests.CustomCoco(dir);
        var config = CustomDataSetTests.CustomConfig(dir, "cascade_mask_rcnn_vim_tiny_synthetic.json", root);
        var trained = Experiment.FromConfig<DetectionExperiment>(config, CustomDataSetTests.Tiny, Path.Combine(dir, "work")).Train();

        // An image-info file (COCO test-dev's form): images and categories, no "annotations" list.
        var val = JObject.Parse(File.ReadAllText(Path.Combine(root, "annotations", "instances_val2017.json")));
        val.Remove("annotations");
        File.WriteAllText(Path.Combine(root, "annotations", "image_info_val2017.json"), val.ToString());
        var imageIds = ((JArray)val["images"]!).Select(i => (long)i["id"]!).ToHashSet();
        var formatDir = Path.Combine(dir, "format_only");
        var (code, stdout, stderr) = CliRunner.Run(["eval", config, "--checkpoint", trained.Checkpoint, "--out", formatDir, .. TinySet,
            "--set", "test.format_only=true", "--set", "test.ann_file=annotations/image_info_val2017.json"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("format-only", stdout);
        var results = JArray.Parse(File.ReadAllText(Path.Combine(formatDir, "results_bbox.json")));
        Assert.NotEmpty(results);
        Assert.Subset(CustomDataSetTests.CategoryIds.ToHashSet(), results.Select(r => (long)r["category_id"]!).ToHashSet());
        Assert.Subset(imageIds, results.Select(r => (long)r["image_id"]!).ToHashSet());
        Assert.True(File.Exists(Path.Combine(formatDir, "results_segm.json")));
        Assert.False(File.Exists(Path.Combine(formatDir, "metrics.json")));

        // predict --json over numerically named files: their numbers are the image ids.
        var images = Path.Combine(dir, "numbered");
        Directory.CreateDirectory(images);
        var sources = Directory.GetFiles(Path.Combine(root, "val2017")).Order(StringComparer.Ordinal).Take(2).ToList();
        for (var i = 0; i < sources.Count; i++) File.Copy(sources[i], Path.Combine(images, $"{40 + i:D12}{Path.GetExtension(sources[i])}"));
        var predictDir = Path.Combine(dir, "predict");
        (code, _, stderr) = CliRunner.Run(["predict", config, "--checkpoint", trained.Checkpoint, "--images", images, "--out", predictDir, "--json", .. TinySet]);
        Assert.True(code == 0, stderr);
        var predicted = JArray.Parse(File.ReadAllText(Path.Combine(predictDir, "results_bbox.json")));
        Assert.NotEmpty(predicted);
        Assert.Subset(new HashSet<long> { 40, 41 }, predicted.Select(r => (long)r["image_id"]!).ToHashSet());
        Assert.Subset(CustomDataSetTests.CategoryIds.ToHashSet(), predicted.Select(r => (long)r["category_id"]!).ToHashSet());
        Assert.All(predicted, r => Assert.Equal(4, ((JArray)r["bbox"]!).Count));
        var info = JObject.Parse(File.ReadAllText(Path.Combine(predictDir, "images.json")));
        Assert.Equal([40L, 41L], ((JArray)info["images"]!).Select(i => (long)i["id"]!));
        Assert.Equal(CustomDataSetTests.CategoryIds, ((JArray)info["categories"]!).Select(c => (long)c["id"]!));
        Assert.Empty(Directory.GetFiles(predictDir, "*_overlay.png"));
    }

    [Fact]
    public void ImageIdsAreNumericFileNamesElseOneBasedPositions()
    {
        Assert.Equal([397133L, 42L], CocoPredictionFiles.ImageIds(["a/000000397133.jpg", "a/42.png"]));
        Assert.Equal([1L, 2L, 3L], CocoPredictionFiles.ImageIds(["cat.jpg", "7.jpg", "8.jpg"]));
        Assert.Equal([1L, 2L], CocoPredictionFiles.ImageIds(["7.jpg", "007.png"])); // the same number twice
    }

    [Fact]
    public void AWrongKindOfCheckpointIsNamedWithWhatTheCommandNeeds()
    {
        var dir = TestPaths.NewTempDir();
        var config = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        var backbone = TestPaths.Fixture("vim", "vim_tiny_s16_img64_seed11_d4.pth"); // an official-layout classifier .pth
        var garbage = Path.Combine(dir, "weights.bin");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        var data = $"data.root={Path.Combine(dir, "data")}";
        using (var image = new Mat(16, 16, MatType.CV_8UC3, Scalar.All(90))) Cv2.ImWrite(Path.Combine(dir, "image.png"), image); // for predict --images
        foreach (var (args, expected) in new (string[], string[])[]
                 {
                     (["eval", config, "--checkpoint", backbone, "--set", data], ["a backbone checkpoint", "eval and predict need a whole-model checkpoint", $"--set model.backbone.pretrained={backbone}"]),
                     (["predict", config, "--checkpoint", backbone, "--images", dir, "--out", Path.Combine(dir, "p"), "--set", data], ["a backbone checkpoint"]),
                     (["eval", config, "--checkpoint", garbage, "--set", data], ["not a checkpoint: neither a safetensors file nor a PyTorch .pth"]),
                     (["train", config, "--load-from", backbone, "--work-dir", Path.Combine(dir, "w"), "--set", data, "--set", "data.synthetic.images=2"],
                         ["a backbone checkpoint", "load_from (--load-from) needs a whole-model checkpoint"]),
                 })
        {
            var (code, stdout, stderr) = CliRunner.Run(args);
            Assert.True(code == 1, $"{string.Join(" ", args)}: exit {code}: {stderr}");
            // One error line, the last (train may log its data step first).
            var lines = stderr.Trim().Split('\n');
            Assert.Single(lines, l => l.StartsWith("vimdense: ", StringComparison.Ordinal));
            Assert.StartsWith("vimdense: ", lines[^1]);
            foreach (var text in expected) Assert.Contains(text, lines[^1]);
            Assert.DoesNotContain("header", stderr);
            Assert.DoesNotContain(" at ", stdout);
        }
    }

    [Fact]
    public void AStateDictOfAnotherModelIsRefusedNamingAMissingTensor()
    {
        var model = nn.Sequential(("backbone", nn.Linear(2, 2)), ("head", nn.Linear(2, 1)));
        var weights = new Dictionary<string, Tensor> { ["encoder.weight"] = zeros(2, 2) };
        var error = Assert.Throws<UserInputException>(() => CheckpointKinds.RequireWholeModel("x.pth", weights, model, "eval and predict"));
        Assert.Contains("x.pth: not a checkpoint of this model: 4 of its 4 tensors are missing (e.g. 'backbone.weight')", error.Message);
        var backboneOnly = new Dictionary<string, Tensor> { ["weight"] = zeros(2, 2), ["bias"] = zeros(2), ["head.weight"] = zeros(1, 2) };
        error = Assert.Throws<UserInputException>(() => CheckpointKinds.RequireWholeModel("vim_t.pth", backboneOnly, model, "eval and predict"));
        Assert.Contains("vim_t.pth: a backbone checkpoint", error.Message);
    }
}
