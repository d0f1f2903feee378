namespace VimDense.Ops;

/// <summary>An open <see cref="OpProfiler"/> scope (or an empty one when profiling is off).</summary>
public readonly struct ProfileScope(bool active) : IDisposable
{
    public void Dispose()
    {
        if (active) OpProfiler.Close();
    }
}
