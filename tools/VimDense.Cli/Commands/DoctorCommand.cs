using System.CommandLine;
using System.Runtime.InteropServices;
using Newtonsoft.Json.Linq;
using TorchSharp;
using VimDense.Native;

namespace VimDense.Cli.Commands;

/// <summary>`vimdense doctor`: what this installation is made of and whether each part works.</summary>
public sealed class DoctorCommand : ICliCommand
{
    public Command Build()
    {
        var command = new Command("doctor", "Print versions, native library variants, threads and GPU visibility");
        command.SetAction(_ =>
        {
            var rows = Collect();
            var width = rows.Max(r => r.Key.Length);
            foreach (var (key, value) in rows) Console.WriteLine($"{key.PadRight(width)}  {value}");
            return rows.Any(r => r.Value.StartsWith("ERROR", StringComparison.Ordinal)) ? 1 : 0;
        });
        return command;
    }

    private static List<KeyValuePair<string, string>> Collect()
    {
        var rows = new List<KeyValuePair<string, string>>();
        void Add(string key, Func<string> value)
        {
            string text;
            try { text = value(); }
            catch (Exception e) { text = $"ERROR {e.GetBaseException().Message.ReplaceLineEndings(" ")}"; }
            rows.Add(new(key, text));
        }
        Add(".NET", () => RuntimeInformation.FrameworkDescription);
        Add("OS", () => $"{RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})");
        Add("TorchSharp", () => typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?");
        Add("libtorch", LibTorchPackage);
        Add("libtorch check", () => $"ok (sum of ones(4) = {torch.ones(4).sum().item<float>()})");
        Add("torch threads", () => torch.get_num_threads().ToString());
        Add("native library", () => NativeInfo.LoadedPath);
        Add("native version", () => NativeInfo.Version == NativeInfo.ExpectedVersion
            ? NativeInfo.Version
            : $"ERROR {NativeInfo.Version} loaded, {NativeInfo.ExpectedVersion} expected");
        Add("native CPU kernels", () => $"compiled, usable ({NativeInfo.CpuThreads} threads)");
        Add("native CUDA kernels", () => !NativeInfo.HasCuda ? "not compiled"
            : NativeInfo.CudaDeviceCount > 0 ? $"compiled, usable ({NativeInfo.CudaDeviceCount} device(s))"
            : "compiled, not usable (no GPU visible)");
        Add("GPU visible to libtorch", () => torch.cuda.is_available() ? $"yes ({torch.cuda.device_count()})" : "no");
        foreach (var (key, value) in VimDense.Engine.DeviceReport.Rows()) Add(key, value);
        Add("OpenMP waiting", () => OpenMpEnvironment.Waiting);
        Add("logical CPUs", () => Environment.ProcessorCount.ToString());
        return rows;
    }

    /// <summary>The libtorch runtime package this program was built with, read from its deps.json.</summary>
    private static string LibTorchPackage()
    {
        var deps = Directory.GetFiles(AppContext.BaseDirectory, "*.deps.json").FirstOrDefault();
        if (deps is null) return "unknown (no deps.json)";
        var libraries = (JObject?)JObject.Parse(File.ReadAllText(deps))["libraries"];
        var name = libraries?.Properties().Select(p => p.Name)
            .FirstOrDefault(n => n.StartsWith("libtorch-", StringComparison.Ordinal) && !n.Contains("-linux-") && !n.Contains("-win-") && !n.Contains("-osx-"));
        return name?.Replace('/', ' ') ?? "unknown";
    }
}
