using System.Diagnostics;
using TorchSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;
using VimDense.Datasets.Masks;
using VimDense.Heads.Detection;
using VimDense.Experiments;
using VimDense.Structures;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>The whole detector: losses are finite and it overfits a handful of synthetic images.</summary>
public class CascadeMaskRcnnTests(ITestOutputHelper output)
{
    // A scaled-down ViTDet configuration (narrow heads, two convs per head, fewer RoIs) so that CPU steps
    // take a fraction of a second; the structure (cascade of three stages, mask head, RPN) is the full one.
    private static CascadeMaskRcnnOptions SmallOptions() => new()
    {
        NormalizeInputs = true, // the synthetic images are 0-255 RGB
        PyramidChannels = 32,
        Rpn = new RpnOptions { PreNmsTopKTrain = 300, PostNmsTopKTrain = 100, PreNmsTopKTest = 300, PostNmsTopKTest = 100 },
        RoiHeads = new RoiHeadsOptions
        {
            NumClasses = 3, ConvDim = 16, BoxConvLayers = 2, MaskConvLayers = 2, FcDim = 64, BatchSizePerImage = 32,
        },
    };

    [Fact]
    public void LossesAreFiniteAndEveryParameterOfTheHeadsGetsAGradient()
    {
        manual_seed(1);
        var model = new CascadeMaskRcnn(new TinyConvBackbone(), SmallOptions());
        model.train();
        var (images, targets) = SyntheticBoxes.Make(2, 96, 5);
        var losses = model.Losses(images, [(96, 96), (96, 96)], targets);
        Assert.Equal(new[]
        {
            "loss_box_reg_stage0", "loss_box_reg_stage1", "loss_box_reg_stage2", "loss_cls_stage0", "loss_cls_stage1",
            "loss_cls_stage2", "loss_mask", "loss_rpn_cls", "loss_rpn_loc",
        }, losses.Keys.Order());
        foreach (var (name, loss) in losses) Assert.True(loss.isfinite().item<bool>() && loss.item<float>() >= 0, name);
        losses.Values.Aggregate((a, b) => a + b).backward();
        var missing = model.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void AnImageWithoutObjectsTrainsAsBackground()
    {
        manual_seed(4);
        var model = new CascadeMaskRcnn(new TinyConvBackbone(), SmallOptions());
        model.train();
        var (images, targets) = SyntheticBoxes.Make(2, 64, 8);
        var empty = new Instances { Boxes = zeros(0, 4), Classes = zeros(0, ScalarType.Int64), Masks = zeros(0, 64, 64, ScalarType.Byte) };
        var losses = model.Losses(images, [(64, 64), (64, 64)], [targets[0], empty]);
        foreach (var (name, loss) in losses) Assert.True(loss.isfinite().item<bool>(), name);
        var onlyEmpty = model.Losses(images[..1], [(64, 64)], [empty]);
        foreach (var (name, loss) in onlyEmpty) Assert.True(loss.isfinite().item<bool>(), name);
        Assert.Equal(0f, onlyEmpty["loss_mask"].item<float>());
        Assert.Equal(0f, onlyEmpty["loss_box_reg_stage0"].item<float>());
        onlyEmpty.Values.Aggregate((a, b) => a + b).backward();
    }

    [Fact]
    public void NoDetectionAboveTheThresholdGivesEmptyResults()
    {
        manual_seed(5);
        var model = new CascadeMaskRcnn(new TinyConvBackbone(), SmallOptions() with
        {
            RoiHeads = SmallOptions().RoiHeads with { ScoreThreshold = 1.0 },
        });
        model.eval();
        var (images, _) = SyntheticBoxes.Make(1, 64, 9);
        var detections = model.Predict(images, [(64, 64)]).Single();
        Assert.Equal([0L, 4], detections.Boxes.shape);
        Assert.Equal([0L, 64, 64], detections.Masks!.shape);
        Assert.Empty(DetectionExport.ToPlain(detections));
    }

    [Fact]
    public void ParameterNamesFollowDetectron2Layout()
    {
        var names = new CascadeMaskRcnn(new TinyConvBackbone(), SmallOptions()).named_parameters().Select(p => p.name).ToHashSet();
        foreach (var name in new[]
                 {
                     "backbone.layers.0.weight", "neck.simfp_2.0.weight", "neck.simfp_5.2.norm.bias",
                     "proposal_generator.rpn_head.conv.conv0.weight", "proposal_generator.rpn_head.conv.conv1.bias",
                     "proposal_generator.rpn_head.objectness_logits.weight", "proposal_generator.rpn_head.anchor_deltas.bias",
                     "roi_heads.box_head.0.conv1.weight", "roi_heads.box_head.2.conv2.norm.weight", "roi_heads.box_head.1.fc1.weight",
                     "roi_heads.box_predictor.0.cls_score.weight", "roi_heads.box_predictor.2.bbox_pred.bias",
                     "roi_heads.mask_head.mask_fcn1.weight", "roi_heads.mask_head.mask_fcn2.norm.bias",
                     "roi_heads.mask_head.deconv.weight", "roi_heads.mask_head.predictor.weight",
                 })
            Assert.Contains(name, names);
    }

    [Fact]
    public void PredictReturnsAtMostTheConfiguredDetectionsWithMasksAtOutputSize()
    {
        manual_seed(2);
        var model = new CascadeMaskRcnn(new TinyConvBackbone(), SmallOptions() with
        {
            RoiHeads = SmallOptions().RoiHeads with { ScoreThreshold = 0.0, DetectionsPerImage = 7 },
        });
        model.eval();
        var (images, _) = SyntheticBoxes.Make(2, 64, 6);
        var detections = model.Predict(images, [(64, 64), (50, 60)], [(128, 128), (100, 120)]);
        Assert.Equal(2, detections.Count);
        foreach (var (d, (h, w)) in detections.Zip(new (long, long)[] { (128, 128), (100, 120) }))
        {
            Assert.InRange(d.Boxes.shape[0], 1, 7);
            Assert.Equal([d.Boxes.shape[0], h, w], d.Masks!.shape);
            Assert.True(d.Boxes[.., 2].le(w).all().item<bool>() && d.Boxes[.., 3].le(h).all().item<bool>());
            var s = d.Scores!.data<float>().ToArray();
            Assert.True(s.Zip(s.Skip(1)).All(p => p.First >= p.Second), "scores are sorted");
        }
    }

    [SlowFact]
    public void OverfitsThreeSyntheticImages()
    {
        manual_seed(3);
        var model = new CascadeMaskRcnn(new TinyConvBackbone(), SmallOptions());
        var (images, targets) = SyntheticBoxes.Make(3, 128, 7);
        var sizes = Enumerable.Repeat((128L, 128L), 3).ToList();
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-3, weight_decay: 1e-4);
        var watch = Stopwatch.StartNew();
        model.train();
        for (var step = 0; step < Steps; step++)
        {
            optimizer.zero_grad();
            using var scope = NewDisposeScope();
            var losses = model.Losses(images, sizes, targets);
            var total = losses.Values.Aggregate((a, b) => a + b);
            total.backward();
            optimizer.step();
            if (step % 25 == 0 || step == Steps - 1)
                Log($"step {step}: loss {total.item<float>():F3} ({string.Join(", ", losses.Select(l => $"{l.Key} {l.Value.item<float>():F3}"))}) {watch.Elapsed.TotalSeconds:F0}s");
        }
        model.eval();
        var detections = model.Predict(images, sizes);
        var (boxAp50, maskAp50) = CocoAp50(detections, targets);
        Log($"COCO bbox AP50 {boxAp50:F3}, segm AP50 {maskAp50:F3}, {watch.Elapsed.TotalSeconds:F0}s");
        Assert.True(boxAp50 >= 0.9, $"bbox AP50 {boxAp50:F3} < 0.9");
        Assert.True(maskAp50 >= 0.8, $"segm AP50 {maskAp50:F3} < 0.8");
    }

    private static readonly int Steps = int.Parse(Environment.GetEnvironmentVariable("VIMDENSE_DET_OVERFIT_STEPS") ?? "300");

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.Error.WriteLine(line);
    }

    // AP50 of COCO evaluation (the eval branch's pycocotools port) on results written the way the CLI
    // writes them: boxes for bbox, RLE masks without boxes for segm (as detectron2 does).
    private static (double Box, double Mask) CocoAp50(IReadOnlyList<Instances> detections, IReadOnlyList<Instances> targets)
    {
        var categoryIds = new long[] { 1, 2, 3 };
        var images = targets.Select((t, i) => new CocoImage(i + 1, (int)t.Masks!.shape[1], (int)t.Masks!.shape[2], $"synthetic_{i}.png")).ToList();
        var annotations = new List<CocoAnnotation>();
        for (var i = 0; i < targets.Count; i++)
            for (var g = 0; g < targets[i].Boxes.shape[0]; g++)
            {
                var b = targets[i].Boxes[g].data<float>().ToArray();
                var mask = targets[i].Masks![g].to(ScalarType.Byte).contiguous().data<byte>().ToArray();
                var rle = RleCodec.Encode(mask, images[i].Height, images[i].Width);
                annotations.Add(new CocoAnnotation
                {
                    Id = annotations.Count + 1, ImageId = i + 1, CategoryId = categoryIds[targets[i].Classes[g].item<long>()],
                    Bbox = [b[0], b[1], b[2] - b[0], b[3] - b[1]], Area = RleCodec.Area(rle), Segmentation = CocoSegmentation.FromRle(rle),
                });
            }
        var truth = new CocoGroundTruth(images, [new(1, "red"), new(2, "green"), new(3, "blue")], annotations);
        List<CocoAnnotation> Results() => detections.SelectMany((d, i) =>
            CocoDetectionResults.From(i + 1, images[i].Height, images[i].Width, DetectionExport.ToPlain(d), categoryIds)).ToList();
        var box = CocoEvaluator.Run(truth, CocoResults.Prepare(Results(), truth), CocoIouType.Bbox).Stats[1];
        var masks = Results();
        masks.ForEach(r => r.Bbox = null);
        var segm = CocoEvaluator.Run(truth, CocoResults.Prepare(masks, truth), CocoIouType.Segm).Stats[1];
        return (box, segm);
    }
}
