using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// Where a run's model, buffers, optimizer state, batches and losses live: "cpu", "cuda" (GPU 0) or "cuda:N", as
/// the config key <c>device</c> and the CLI's <c>--device</c> spell it. <see cref="Parse"/> checks the spelling;
/// <see cref="Resolve"/> also checks that this TorchSharp build and machine have that device, so a run that cannot
/// use it stops before any work with one line saying why (never a silent CPU fallback).
/// </summary>
public sealed record ComputeDevice(DeviceType Type, int Index)
{
    /// <summary>The CPU (the default).</summary>
    public static ComputeDevice Cpu { get; } = new(DeviceType.CPU, -1);

    /// <summary>What the spellings are, for messages.</summary>
    public const string Expected = "expected cpu, cuda or cuda:N (N = 0, 1, …)";

    /// <summary>What is wrong with <paramref name="text"/> as a device name, or null when it parses.</summary>
    public static string? Problem(string? text) => TryParse(text, out _) ? null : $"'{text}': {Expected}";

    /// <summary>The device <paramref name="text"/> names; a bad spelling is a <see cref="UserInputException"/> naming <paramref name="origin"/>.</summary>
    public static ComputeDevice Parse(string? text, string origin = "device") =>
        TryParse(text, out var device) ? device : throw new UserInputException($"{origin}: '{text}': {Expected}");

    private static bool TryParse(string? text, out ComputeDevice device)
    {
        device = Cpu;
        var s = text?.Trim().ToLowerInvariant();
        if (s == "cpu") return true;
        if (s == "cuda")
        {
            device = new ComputeDevice(DeviceType.CUDA, 0);
            return true;
        }
        if (s is not null && s.StartsWith("cuda:", StringComparison.Ordinal) && s.Length > 5 && s[5..].All(char.IsAsciiDigit)
            && int.TryParse(s[5..], out var index))
        {
            device = new ComputeDevice(DeviceType.CUDA, index);
            return true;
        }
        return false;
    }

    public bool IsCuda => Type == DeviceType.CUDA;

    /// <summary>The TorchSharp device (no check that it exists: see <see cref="Resolve"/>).</summary>
    public Device Torch => IsCuda ? new Device(DeviceType.CUDA, Index) : CPU;

    /// <summary>
    /// The TorchSharp device, after checking that this build and machine have it; otherwise a
    /// <see cref="UserInputException"/> naming <paramref name="origin"/> and what is missing.
    /// </summary>
    public Device Resolve(string origin = "device")
    {
        if (!IsCuda) return CPU;
        if (!TorchBackend.HasCuda)
            throw new UserInputException($"{origin} '{this}': this TorchSharp build has no CUDA backend ({TorchBackend.PackageName}); " +
                                         "build with ./setup.sh --torch-backend cuda on a machine whose package source serves TorchSharp-cuda-linux, or use cpu");
        var count = TorchBackend.CudaDeviceCount;
        if (count == 0)
            throw new UserInputException($"{origin} '{this}': libtorch finds no usable GPU on this machine (no NVIDIA driver or device); use cpu");
        if (Index >= count)
            throw new UserInputException($"{origin} '{this}': this machine has {count} GPU(s) (cuda:0 … cuda:{count - 1})");
        return Torch;
    }

    public override string ToString() => IsCuda ? (Index == 0 ? "cuda" : $"cuda:{Index}") : "cpu";
}
