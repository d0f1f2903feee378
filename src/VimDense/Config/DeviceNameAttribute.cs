using VimDense.Engine;

namespace VimDense.Config;

/// <summary>The field names a device as <see cref="ComputeDevice"/> spells one (cpu, cuda, cuda:N).</summary>
public sealed class DeviceNameAttribute : ConfigRuleAttribute
{
    public override string? Problem(object? value) => value is string s ? ComputeDevice.Problem(s) : null;
}
