using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Newtonsoft.Json;
using TorchSharp;
using VimDense.Engine;
using VimDense.Engine.Logging;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense bench scan`: native selective scan vs the TorchSharp reference (same run, same inputs), time,
/// peak extra memory and achieved bandwidth against the minimum-traffic formula and a measured copy bandwidth.
/// </summary>
public sealed class BenchScanCommand : ICliCommand
{
    public string? Group => "bench";

    public Command Build()
    {
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => 2 };
        var dim = new Option<int>("--dim") { Description = "Channels (d_inner)", DefaultValueFactory = _ => 384 };
        var dstate = new Option<int>("--dstate") { Description = "State size N", DefaultValueFactory = _ => 16 };
        var lengths = new Option<string>("--lengths") { Description = "Comma-separated sequence lengths", DefaultValueFactory = _ => "197,730,3136,6084" };
        var device = new DeviceOption(defaultsToConfig: false);
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per measurement (median reported)", DefaultValueFactory = _ => 3 };
        var refMax = new Option<int>("--reference-max-length") { Description = "Skip the (slow, memory-hungry) reference above this length", DefaultValueFactory = _ => 3136 };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("scan", "Benchmark the native selective scan against the TorchSharp reference");
        foreach (var o in new Option[] { batch, dim, dstate, lengths, repeats, refMax, json }) command.Options.Add(o);
        device.AddTo(command);
        command.SetAction(parse =>
        {
            var settings = new Settings(parse.GetValue(batch), parse.GetValue(dim), parse.GetValue(dstate),
                ParseLengths(parse.GetValue(lengths)!), device.Resolve(parse), parse.GetValue(repeats),
                parse.GetValue(refMax));
            if (settings.Batch < 1 || settings.Dim < 1 || settings.DState is < 1 or > 256 || settings.Repeats < 1)
                throw new UserInputException("--batch, --dim, --repeats must be >= 1 and --dstate in 1..256");
            Run(settings, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private sealed record Settings(int Batch, int Dim, int DState, int[] Lengths, Device Device, int Repeats, int ReferenceMaxLength);

    private sealed record Row(int Length, double NativeForwardMs, double NativeTrainMs, double? ReferenceForwardMs,
        double? ReferenceTrainMs, double? NativePeakMiB, double? ReferencePeakMiB, double MinBytesForward, double NativeForwardGBps);

    private static void Run(Settings s, bool json)
    {
        SetMallocThresholds(TimingThreshold);
        var copyGBps = CopyBandwidth(s.Device);
        var engineMs = AutogradRoundTrip(s);
        var rows = new List<Row>();
        foreach (var length in s.Lengths)
        {
            Console.Error.WriteLine($"bench scan: L={length} ...");
            rows.Add(Measure(s, length));
        }
        var memoryNote = s.Device.type == DeviceType.CPU
            ? "peak extra memory of one fwd+bwd = the larger of (a) peak RSS growth (VmHWM reset via /proc/self/clear_refs, " +
              "glibc mmap/trim thresholds set to 128 KiB for that run) and (b) peak growth of glibc heap bytes in use (mallinfo2, sampled every ~1 ms); " +
              "includes the output, input gradients, saved tensors and temporaries; excludes the inputs"
            : "peak extra memory not measured on CUDA (TorchSharp exposes no allocator statistics)";
        if (json)
        {
            Console.WriteLine(JsonConvert.SerializeObject(new
            {
                s.Batch, s.Dim, s.DState, device = s.Device.ToString(), s.Repeats, s.ReferenceMaxLength, dtype = "float32",
                options = "D, z, delta_bias, delta_softplus", threads = torch.get_num_threads(), copyGBps, autogradRoundTripMs = engineMs,
                memoryNote, rows,
            }, Formatting.Indented));
            return;
        }
        Console.WriteLine($"selective scan, batch {s.Batch}, dim {s.Dim}, dstate {s.DState}, float32, D + z + delta_bias + softplus, device {s.Device}, " +
                          $"median of {s.Repeats}; reference skipped above L={s.ReferenceMaxLength}");
        Console.WriteLine($"fwd+bwd = forward then backward of sum(out * dout); timing runs use glibc mmap/trim thresholds of 64 MiB; {memoryNote}");
        Console.WriteLine($"autograd round trip ((x * 2).backward on a (B, D, L={s.Lengths[0]}) tensor): {engineMs:F2} ms, part of every f+b figure " +
                          "(engine thread hand-offs; grows with machine load)");
        Console.WriteLine($"bandwidth: minimum forward traffic Bt*L*4*(4D + 2GN) + 4D(N+2) bytes / native forward time; copy_ of a 256 MiB tensor: {copyGBps:F1} GB/s");
        var header = $"{"L",6} {"fwd ms",9} {"ref fwd",9} {"x",6} {"f+b ms",9} {"ref f+b",9} {"x",6} {"peak MiB",9} {"ref MiB",9} {"mem x",6} {"GB/s",7} {"% copy",7}";
        Console.WriteLine(header);
        foreach (var r in rows)
            Console.WriteLine($"{r.Length,6} {r.NativeForwardMs,9:F2} {Opt(r.ReferenceForwardMs),9} {Ratio(r.ReferenceForwardMs, r.NativeForwardMs),6} " +
                              $"{r.NativeTrainMs,9:F2} {Opt(r.ReferenceTrainMs),9} {Ratio(r.ReferenceTrainMs, r.NativeTrainMs),6} " +
                              $"{Opt(r.NativePeakMiB),9} {Opt(r.ReferencePeakMiB),9} {Ratio(r.ReferencePeakMiB, r.NativePeakMiB),6} " +
                              $"{r.NativeForwardGBps,7:F2} {100 * r.NativeForwardGBps / copyGBps,6:F1}%");
    }

    private static Row Measure(Settings s, int length)
    {
        var inputs = MakeInputs(s, length);
        var dout = randn(new long[] { s.Batch, s.Dim, length }, device: s.Device);
        Func<Tensor[], Tensor> native = x => SelectiveScan.Apply(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], deltaSoftplus: true);
        Func<Tensor[], Tensor> reference = x => SelectiveScanReference.Apply(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], deltaSoftplus: true);
        var nativeForward = TimeForward(native, inputs, s);
        var (nativeTrain, nativePeak) = TimeTrain(native, inputs, dout, s);
        double? refForward = null, refTrain = null, refPeak = null;
        if (length <= s.ReferenceMaxLength)
        {
            refForward = TimeForward(reference, inputs, s);
            (refTrain, refPeak) = TimeTrain(reference, inputs, dout, s);
        }
        // Minimum forward traffic (reference §6.2), z present: Bt*L*s*(4D + 2GN) + 4D(N+2), s = 4 bytes.
        var minBytes = (double)s.Batch * length * 4 * (4.0 * s.Dim + 2.0 * s.DState) + 4.0 * s.Dim * (s.DState + 2);
        return new Row(length, nativeForward, nativeTrain, refForward, refTrain, nativePeak, refPeak, minBytes,
                       minBytes / (nativeForward * 1e-3) / 1e9);
    }

    private static Tensor[] MakeInputs(Settings s, int length)
    {
        var (b, d, n, dev) = (s.Batch, s.Dim, s.DState, s.Device);
        return
        [
            randn(new long[] { b, d, length }, device: dev), randn(new long[] { b, d, length }, device: dev) * 0.5 - 1,
            -(randn(new long[] { d, n }, device: dev) * 0.5).exp(), randn(new long[] { b, 1, n, length }, device: dev),
            randn(new long[] { b, 1, n, length }, device: dev), randn(new long[] { d }, device: dev),
            randn(new long[] { b, d, length }, device: dev), randn(new long[] { d }, device: dev) * 0.2,
        ];
    }

    private static double TimeForward(Func<Tensor[], Tensor> op, Tensor[] inputs, Settings s)
    {
        using var noGrad = torch.no_grad();
        return Median(s.Repeats + 1, () => { using var d = NewDisposeScope(); op(inputs); Sync(s.Device); }).Skip(1);
    }

    // Forward + backward from leaf copies of the inputs; also the peak extra memory of one such run (CPU).
    private static (double Ms, double? PeakMiB) TimeTrain(Func<Tensor[], Tensor> op, Tensor[] inputs, Tensor dout, Settings s)
    {
        // Leaf copies are made before the clock/peak starts: they are inputs, not memory the op needs.
        Tensor[] Leaves() => inputs.Select(t => t.detach().clone().requires_grad_(true)).ToArray();
        var times = new List<double>();
        for (var i = 0; i <= s.Repeats; i++)
        {
            using var scope = NewDisposeScope();
            var leaves = Leaves();
            var watch = Stopwatch.StartNew();
            op(leaves).backward([dout]);
            Sync(s.Device);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        double? peak = null;
        if (s.Device.type == DeviceType.CPU)
        {
            using var scope = NewDisposeScope();
            var leaves = Leaves();
            GC.Collect();
            SetMallocThresholds(MemoryThreshold);
            long inUseBefore, inUsePeak, before;
            // Heap bytes in use, sampled every ~1 ms: catches memory re-used from glibc's free lists, which RSS misses.
            // The baselines are taken once the sampler thread runs, so that its own allocations are not counted.
            using (var heap = HeapInUse.SamplePeak(TimeSpan.FromMilliseconds(1)))
            {
                inUseBefore = HeapInUse.Bytes() ?? 0;
                if (!ProcessMemory.ResetPeak()) throw new IOException("/proc/self/clear_refs: cannot reset the peak resident set (needs Linux >= 4.0)");
                before = ProcessMemory.ResidentBytes();
                op(leaves).backward([dout]);
                inUsePeak = heap.PeakBytes ?? inUseBefore;
            }
            var rssGrowth = ProcessMemory.PeakResidentBytes() - before;
            peak = Math.Max(0, Math.Max(rssGrowth, inUsePeak - inUseBefore)) / (1024.0 * 1024.0);
            SetMallocThresholds(TimingThreshold);
        }
        return (new Timings(times).Skip(1), peak);
    }

    // Median time of a backward through one trivial op: the fixed cost of entering libtorch's autograd engine.
    private static double AutogradRoundTrip(Settings s)
    {
        var x = randn(new long[] { s.Batch, s.Dim, s.Lengths[0] }, device: s.Device);
        var grad = ones_like(x);
        return Median(s.Repeats + 1, () =>
        {
            using var scope = NewDisposeScope();
            var leaf = x.detach().requires_grad_(true);
            (leaf * 2).backward([grad]);
            Sync(s.Device);
        }).Skip(1);
    }

    private static double CopyBandwidth(Device device)
    {
        using var scope = NewDisposeScope();
        var src = randn(new long[] { 64L << 20 }, device: device);  // 256 MiB of float32
        var dst = empty_like(src);
        var ms = Median(6, () => { dst.copy_(src); Sync(device); }).Skip(1);
        return 2.0 * src.numel() * 4 / (ms * 1e-3) / 1e9;  // read + write
    }

    // Runs `action` `runs` times; the first run is treated as warm-up by Skip(1).
    private static Timings Median(int runs, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return new Timings(times);
    }

    private sealed record Timings(List<double> Values)
    {
        public double Skip(int warmup)
        {
            var sorted = Values.Skip(Math.Min(warmup, Values.Count - 1)).Order().ToList();
            return sorted[sorted.Count / 2];
        }
    }

    private static void Sync(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    // glibc thresholds (mmap and trim, bytes). Timing: 64 MiB, so both ops re-use heap memory instead of paying
    // fresh-page faults on every tensor. Memory: 128 KiB, so every large block is its own mapping and RSS follows
    // the live allocations (mallinfo2 sampling covers re-used heap memory as well).
    private const int TimingThreshold = 64 << 20, MemoryThreshold = 128 << 10;

    private static void SetMallocThresholds(int bytes)
    {
        if (GlibcMalloc.Set(GlibcMalloc.MmapThreshold, bytes) && GlibcMalloc.Set(GlibcMalloc.TrimThreshold, bytes)) return;
        Console.Error.WriteLine("bench scan: warning: mallopt failed; memory figures rely on heap sampling only");
    }

    private static int[] ParseLengths(string text)
    {
        try
        {
            var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            if (values.Length > 0 && values.All(v => v >= 1)) return values;
        }
        catch (FormatException) { }
        throw new UserInputException($"--lengths: expected comma-separated positive integers, got '{text}'");
    }

    private static string Opt(double? v) => v is null ? "-" : v.Value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Ratio(double? num, double? den) =>
        num is null || den is null || den <= 0 ? "-" : (num.Value / den.Value).ToString("F1", CultureInfo.InvariantCulture);
}
