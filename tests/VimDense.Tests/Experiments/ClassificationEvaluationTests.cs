using System.Globalization;
using Newtonsoft.Json.Linq;
using OpenCvSharp;
using VimDense.Backbones;
using VimDense.Checkpoints;
using VimDense.Datasets.Classification;
using VimDense.Datasets.Transforms;
using VimDense.Experiments;
using VimDense.IO;
using VimDense.Tests.Backbones;
using static TorchSharp.torch;

namespace VimDense.Tests.Experiments;

/// <summary>
/// `vimdense eval-cls` and <see cref="ClassificationEvaluator"/> against hustvl/Vim's evaluation (fixtures of
/// tools/reference/vim_eval_cls_fixtures.py in Experiments/Data/evalcls: its transform, logits, top-1/top-5).
/// </summary>
public sealed class ClassificationEvaluationTests
{
    private static readonly string DataDir = Path.Combine(TestPaths.RepoRoot, "tests", "VimDense.Tests", "Experiments", "Data", "evalcls");
    private static string Images => Path.Combine(DataDir, "images");
    private static JObject Expected => JObject.Parse(File.ReadAllText(Path.Combine(DataDir, "expected.json")));

    [Fact]
    public void ImageFolderListsTheSamplesAsTorchvision()
    {
        var index = ImageFolderIndex.Open(Images);
        Assert.Equal(["class_0", "class_1", "class_2", "class_3"], index.Classes);
        Assert.Equal(Expected["samples"]!.Values<string>().Select(s => s!.Replace('/', Path.DirectorySeparatorChar)),
            index.Samples.Select(s => Path.GetRelativePath(Images, s.Path)));
        Assert.Equal(Expected["targets"]!.Values<int>(), index.Samples.Select(s => s.Label));
    }

    [Fact]
    public void TransformMatchesTheReferenceTransform()
    {
        var index = ImageFolderIndex.Open(Images);
        using var expected = NpyFile.Read(Path.Combine(DataDir, "transformed_sub7.npy"));
        var transform = new ClassificationEvalTransform();
        Assert.Equal(256, transform.ResizeSize);
        var values = new float[3 * 224 * 224];
        for (var i = 0; i < index.Samples.Count; i++)
        {
            transform.Apply(index.Samples[i].Path, values);
            using var image = tensor(values, [3, 224, 224]);
            using var sub = image.index(TensorIndex.Colon, TensorIndex.Slice(null, null, 7), TensorIndex.Slice(null, null, 7));
            VimFixtureTests.AssertClose(expected[i], sub, 1e-6);
        }
    }

    [Fact]
    public void EvaluatorMatchesTheReferenceLogitsAndAccuracy()
    {
        using var model = new VisionMamba(64, new VimOptions { Dense = false, Depth = 3, ImgSize = 224, NumClasses = 10 });
        var report = model.Load(Path.Combine(DataDir, "vim_d64_d3_224_cls10.pth"), strict: true);
        Assert.True(report.IsClean, report.ToString());
        var index = ImageFolderIndex.Open(Images);
        var result = ClassificationEvaluator.Evaluate(model, index.Samples, new ClassificationEvalOptions { BatchSize = 3, Workers = 2, KeepLogits = true });
        using var expectedLogits = NpyFile.Read(Path.Combine(DataDir, "logits.npy"));
        using var logits = tensor(result.Logits!, [result.Images, result.Classes]);
        VimFixtureTests.AssertClose(expectedLogits, logits);
        Assert.Equal((long)Expected["top1_correct"]!, result.Top1Correct);
        Assert.Equal((long)Expected["top5_correct"]!, result.Top5Correct);
        Assert.Equal((double)Expected["loss"]!, result.Loss, 1e-4);
        Assert.Equal(100.0 * result.Top1Correct / 8, result.Top1);
    }

    [Fact]
    public void CommandOnAGeneratedFolderAndItsLabelsFileVariant()
    {
        var dir = TestPaths.NewTempDir("evalcls");
        var folders = Path.Combine(dir, "val");
        var flat = Path.Combine(dir, "flat");
        Directory.CreateDirectory(flat);
        var lines = new List<string>();
        var rng = new Random(7);
        for (var i = 0; i < 7; i++)
        {
            var label = i % 3;
            var classDir = Directory.CreateDirectory(Path.Combine(folders, $"n{label:D8}")).FullName;
            using var mat = new Mat(200 + 13 * i, 260 - 9 * i, MatType.CV_8UC3);
            var bytes = new byte[mat.Rows * mat.Cols * 3];
            rng.NextBytes(bytes);
            System.Runtime.InteropServices.Marshal.Copy(bytes, 0, mat.Data, bytes.Length);
            Cv2.ImWrite(Path.Combine(classDir, $"img{i}.png"), mat);
            Cv2.ImWrite(Path.Combine(flat, $"val_{i}.png"), mat);
            lines.Add($"val_{i}.png {label}");
        }
        var labelsFile = Path.Combine(dir, "val.txt");
        File.WriteAllLines(labelsFile, lines);

        manual_seed(4);
        var checkpoint = Path.Combine(dir, "tiny.safetensors");
        using (var tiny = (VisionMamba)BackboneFactory.Create("vim_tiny", new VimOptions { Dense = false, Depth = 1, NumClasses = 6 }))
        {
            using var noGrad = no_grad();
            foreach (var (name, p) in tiny.named_parameters()) if (name.StartsWith("head.", StringComparison.Ordinal)) p.mul_(30);
            SafeTensors.Save(checkpoint, tiny.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value));
        }

        var logitsA = Path.Combine(dir, "a.npy");
        var (code, stdout, stderr) = CliRunner.Run("eval-cls", "--model", "vim_tiny", "--checkpoint", checkpoint, "--data", folders,
            "--batch-size", "3", "--workers", "2", "--logits", logitsA);
        Assert.True(code == 0, stderr);
        Assert.Contains("3/3", stderr);                                         // the progress bar reached the last of 3 batches
        var logitsB = Path.Combine(dir, "b.npy");
        var (codeB, stdoutB, stderrB) = CliRunner.Run("eval-cls", "--model", "vim_tiny", "--checkpoint", checkpoint, "--data", flat,
            "--labels", labelsFile, "--logits", logitsB);
        Assert.True(codeB == 0, stderrB);

        // By hand from the written logits: the label's rank among the 6 classes.
        using var logits = NpyFile.Read(logitsA);
        using var flatLogits = NpyFile.Read(logitsB);
        var index = ImageFolderIndex.Open(folders);
        var flatOrder = Enumerable.Range(0, 7).OrderBy(i => i % 3).ToArray();    // class folders list by label, then name
        for (var k = 0; k < 7; k++) VimFixtureTests.AssertClose(logits[k], flatLogits[flatOrder[k]], 1e-6);
        int top1 = 0, top5 = 0;
        for (var k = 0; k < 7; k++)
        {
            var row = logits[k].data<float>().ToArray();
            var label = index.Samples[k].Label;
            var higher = row.Count(v => v > row[label]);
            if (higher == 0) top1++;
            if (higher < 5) top5++;
        }
        var line = string.Create(CultureInfo.InvariantCulture, $"* Acc@1 {100.0 * top1 / 7:F3} Acc@5 {100.0 * top5 / 7:F3}");
        Assert.Contains(line, stdout);
        Assert.Contains(line, stdoutB);
        Assert.True(top5 > top1 || top1 == 7, "the generated case should separate top-1 from top-5");
    }

    [Fact]
    public void FlatFolderWithoutLabelsIsAOneLineError()
    {
        var dir = TestPaths.NewTempDir("evalcls-bad");
        File.WriteAllBytes(Path.Combine(dir, "x.png"), [1, 2, 3]);
        var (code, _, stderr) = CliRunner.Run("eval-cls", "--model", "vim_tiny", "--checkpoint",
            TestPaths.Fixture("vim", "vim_tiny_s16_img64_seed11_d4.pth"), "--data", dir);
        Assert.Equal(1, code);
        Assert.Contains("no class folders", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void StrideEightModelIsRecognisedFromItsPositionEmbedding()
    {
        const string name = "vim_tiny_s8_img64_seed12_d4";
        var (created, report) = PretrainedClassifier.Load("vim_tiny", TestPaths.Fixture("vim", name + ".wrapped.pth"), null, 64, null, null);
        using var model = (VisionMamba)created;
        Assert.True(report.IsClean, report.ToString());
        Assert.Equal(8, model.PatchEmbedding.Stride);
        model.eval();
        using var input = NpyFile.Read(TestPaths.Fixture("vim", name + ".input.npy"));
        using var expected = NpyFile.Read(TestPaths.Fixture("vim", name + ".logits.npy"));
        using var noGrad = no_grad();
        using var logits = model.forward(input);
        VimFixtureTests.AssertClose(expected, logits);
    }
}
