using System.CommandLine;
using System.Diagnostics;
using Newtonsoft.Json.Linq;
using TorchSharp;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense bench detection-ops`: median wall time of the native RoIAlign (forward, backward) and NMS
/// (plain and batched by class) on random inputs of a detector-like size.
/// </summary>
public sealed class BenchDetectionOpsCommand : ICliCommand
{
    public string? Group => "bench";

    public Command Build()
    {
        var rois = new Option<int>("--rois") { Description = "RoIs per RoIAlign call", DefaultValueFactory = _ => 1024 };
        var channels = new Option<int>("--channels") { Description = "Feature channels", DefaultValueFactory = _ => 256 };
        var size = new Option<int>("--size") { Description = "Feature map side (stride-16 map of a 1024 image: 64)", DefaultValueFactory = _ => 64 };
        var output = new Option<int>("--output") { Description = "Pooled output side", DefaultValueFactory = _ => 7 };
        var boxes = new Option<int>("--boxes") { Description = "Boxes per NMS call", DefaultValueFactory = _ => 4000 };
        var repeat = new Option<int>("--repeat") { Description = "Timed repetitions (median reported)", DefaultValueFactory = _ => 5 };
        var device = new DeviceOption(defaultsToConfig: false);
        var json = new Option<bool>("--json") { Description = "Print the timings as JSON" };
        var command = new Command("detection-ops", "Time the native RoIAlign and NMS kernels");
        foreach (var o in new Option[] { rois, channels, size, output, boxes, repeat, json }) command.Options.Add(o);
        device.AddTo(command);
        command.SetAction(parse =>
        {
            int r = parse.GetValue(rois), c = parse.GetValue(channels), s = parse.GetValue(size), p = parse.GetValue(output),
                n = parse.GetValue(boxes), times = parse.GetValue(repeat);
            if (r < 1 || c < 1 || s < 1 || p < 1 || n < 1 || times < 1)
                throw new UserInputException("--rois, --channels, --size, --output, --boxes and --repeat must be >= 1");
            var dev = device.Resolve(parse);
            var report = Run(r, c, s, p, n, times, dev);
            if (parse.GetValue(json)) Console.Out.WriteLine(report.ToString());
            else
            {
                Console.Out.WriteLine($"{"op",-22} {"shape",-34} {"median_ms",10}");
                foreach (var row in (JArray)report["ops"]!)
                    Console.Out.WriteLine($"{(string)row["op"]!,-22} {(string)row["shape"]!,-34} {(double)row["median_ms"]!,10:F2}");
            }
            return 0;
        });
        return command;
    }

    private static JObject Run(int rois, int channels, int size, int output, int boxes, int repeat, Device device)
    {
        manual_seed(0);
        using var scope = NewDisposeScope();
        var stride = 16.0;
        var features = randn([2, channels, size, size], device: device).requires_grad_(true);
        var corner = rand(rois, 2) * (size * stride * 0.9);
        var extent = rand(rois, 2) * (size * stride * 0.4) + 8;
        var roiTensor = cat([randint(0, 2, [rois, 1]).to(ScalarType.Float32), corner, corner + extent], 1).to(device);
        var pooled = RoiAlign.Apply(features, roiTensor, output, output, 1 / stride);
        var upstream = ones_like(pooled);
        var centres = rand(boxes, 2) * 800;
        var sizes = rand(boxes, 2) * 120 + 4;
        var boxTensor = cat([centres - sizes / 2, centres + sizes / 2], 1).to(device);
        var scores = rand(boxes).to(device);
        var classes = randint(0, 80, [boxes]).to(device);
        var ops = new JArray
        {
            Row("roi_align_forward", $"({rois} rois, {channels}x{size}x{size}) -> {output}x{output}",
                Median(repeat, device, () => RoiAlign.Apply(features.detach(), roiTensor, output, output, 1 / stride))),
            Row("roi_align_backward", $"({rois} rois, {channels}x{size}x{size})",
                Median(repeat, device, () =>
                {
                    features.grad?.zero_();
                    RoiAlign.Apply(features, roiTensor, output, output, 1 / stride).backward([upstream]);
                })),
            Row("nms", $"{boxes} boxes, iou 0.7", Median(repeat, device, () => Nms.Apply(boxTensor, scores, 0.7))),
            Row("batched_nms", $"{boxes} boxes, 80 classes, iou 0.5",
                Median(repeat, device, () => Nms.Batched(boxTensor, scores, classes, 0.5))),
        };
        return new JObject { ["device"] = device.ToString(), ["threads"] = get_num_threads(), ["ops"] = ops };
    }

    private static JObject Row(string op, string shape, double ms) => new() { ["op"] = op, ["shape"] = shape, ["median_ms"] = ms };

    private static double Median(int repeat, Device device, Action action)
    {
        action(); // warm-up
        var samples = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            action();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            samples.Add(watch.Elapsed.TotalMilliseconds);
        }
        samples.Sort();
        return samples[samples.Count / 2];
    }
}
