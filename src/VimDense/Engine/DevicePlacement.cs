using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// Puts a model and its inputs on the run's device: <see cref="MoveModule{T}"/> once when the model is built (so the
/// optimizer state created afterwards lives there too), <see cref="OnDevice"/> for each batch at the step.
/// </summary>
public static class DevicePlacement
{
    /// <summary>Whether <paramref name="t"/> is on <paramref name="device"/> ("cuda" with no index meaning GPU 0).</summary>
    public static bool IsOn(Tensor t, Device device) =>
        t.device_type == device.type && (device.type == DeviceType.CPU || t.device_index == Math.Max(0, device.index));

    /// <summary><paramref name="t"/> itself when it is on <paramref name="device"/>, else a copy there (owned by the current dispose scope).</summary>
    public static Tensor OnDevice(Tensor t, Device device) => IsOn(t, device) ? t : t.to(device);

    /// <summary>The device of <paramref name="module"/>'s first parameter (the CPU for a module without any).</summary>
    public static Device DeviceOf(nn.Module module) => module.parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>
    /// Moves every parameter and buffer of <paramref name="module"/> to <paramref name="device"/> (nothing to do when
    /// they are there) and checks that none was left behind: a module that holds a tensor outside TorchSharp's
    /// registration would otherwise compute on the old device.
    /// </summary>
    public static T MoveModule<T>(T module, Device device) where T : nn.Module
    {
        if (LeftBehind(module, device).Count > 0) module.to(device);
        var left = LeftBehind(module, device);
        if (left.Count > 0)
            throw new InvalidOperationException($"moving the model to {device} left {left.Count} tensor(s) elsewhere, e.g. {left[0]}");
        return module;
    }

    /// <summary>"name (device)" of each parameter and buffer of <paramref name="module"/> not on <paramref name="device"/>.</summary>
    public static IReadOnlyList<string> LeftBehind(nn.Module module, Device device) =>
        module.named_parameters().Select(p => (p.name, Tensor: (Tensor)p.parameter))
            .Concat(module.named_buffers(include_nonpersistent: true).Select(b => (b.name, Tensor: b.buffer)))
            .Where(x => !IsOn(x.Tensor, device)).Select(x => $"{x.name} ({x.Tensor.device})").ToList();
}
