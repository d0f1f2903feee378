using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VimDense.Native;

/// <summary>
/// Resolves <c>libvimdense_native.so</c> from the folder of the running assemblies (the build copies it
/// there), so no LD_LIBRARY_PATH is needed. <c>VIMDENSE_NATIVE</c> may name another file explicitly.
/// </summary>
internal static class NativeLibraryLoader
{
    public const string LibraryName = "vimdense_native";
    public const string FileName = "libvimdense_native.so";

    private static string? _loadedPath;

    /// <summary>Path of the loaded library, or null before the first native call.</summary>
    public static string? LoadedPath => _loadedPath;

#pragma warning disable CA2255 // A module initializer is the one place that runs before any P/Invoke.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        OpenMpEnvironment.PreferShortSpinning();
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        var candidates = Candidates().ToList();
        foreach (var path in candidates.Where(File.Exists))
        {
            var handle = NativeLibrary.Load(path);
            _loadedPath = path;
            return handle;
        }
        throw new DllNotFoundException(
            $"{FileName} not found (looked in: {string.Join(", ", candidates)}); build it with ./setup.sh");
    }

    private static IEnumerable<string> Candidates()
    {
        var explicitPath = Environment.GetEnvironmentVariable("VIMDENSE_NATIVE");
        if (!string.IsNullOrEmpty(explicitPath)) yield return explicitPath;
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        var assemblyDir = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDir)) yield return Path.Combine(assemblyDir, FileName);
    }
}
