namespace VimDense.Native;

/// <summary>A CUDA device as the native library sees it: index, name and compute capability (9.0 for H100/H200).</summary>
public sealed record CudaDeviceInfo(int Index, string Name, int Major, int Minor)
{
    /// <summary>The architecture name the compilers use ("sm_90").</summary>
    public string Architecture => $"sm_{Major}{Minor}";

    public override string ToString() => $"cuda:{Index} {Name} (capability {Major}.{Minor}, {Architecture})";
}
