using System.Runtime.InteropServices;

namespace VimDense.Native;

/// <summary>
/// How the idle workers of the two OpenMP runtimes in every VimDense process wait: libtorch's bundled libgomp and the
/// one the native library links. A Vim forward runs hundreds of parallel regions of tens of microseconds, so the wait
/// decides much of its speed on small inputs. Measured on 2 cores (2026-12-03, `bench backbone --sizes 224,512,1248`):
/// <list type="bullet">
/// <item>libgomp's default (spin 300,000 times, then sleep): one runtime's idle workers spin on the cores the other
/// needs (3–5x slower on 2 cores when first measured; 512² Vim-Ti 0.33 → 0.34 s here);</item>
/// <item>passive waiting (sleep at once; what VimDense asked for before): every region pays a futex wake-up, Vim-Ti
/// at 224² 0.099–0.108 s, DeiT-Ti 0.040–0.042 s;</item>
/// <item>a short spin, GOMP_SPINCOUNT=10000: 0.065 and 0.026 s; 512², 1248² and UperNet training as fast or faster.</item>
/// </list>
/// So VimDense sets GOMP_SPINCOUNT=10000 unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT. Each runtime reads
/// them when it starts, so this must run before libtorch and the native library load; .NET's
/// Environment.SetEnvironmentVariable does not change the native environment on Unix, hence libc's setenv.
/// </summary>
public static partial class OpenMpEnvironment
{
    public const int SpinCount = 10000;

    public static void PreferShortSpinning()
    {
        if (!OperatingSystem.IsLinux() || Get("OMP_WAIT_POLICY") is not null) return;
        _ = SetEnv("GOMP_SPINCOUNT", SpinCount.ToString(System.Globalization.CultureInfo.InvariantCulture), overwrite: 0);
    }

    /// <summary>How the OpenMP runtimes wait, as they see it (the native environment): "default" when nothing is set.</summary>
    public static string Waiting => Get("OMP_WAIT_POLICY") is { } policy ? $"OMP_WAIT_POLICY={policy}"
        : Get("GOMP_SPINCOUNT") is { } spins ? $"GOMP_SPINCOUNT={spins}" : "default";

    private static string? Get(string name) => OperatingSystem.IsLinux() ? Marshal.PtrToStringUTF8(GetEnv(name)) : null;

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
