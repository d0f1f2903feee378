using System.Runtime.InteropServices;

namespace VimDense.Native;

/// <summary>
/// Two OpenMP runtimes share the cores in every VimDense process: libtorch's bundled libgomp and the one the
/// native library links. With the default (active, spinning) wait policy the idle workers of one runtime
/// busy-wait on the cores the other needs (measured 3-5x slower on 2 cores), so VimDense asks both for passive
/// waiting unless the user chose a policy. Each runtime reads OMP_WAIT_POLICY when it starts, so this must run
/// before libtorch and the native library load; .NET's Environment.SetEnvironmentVariable does not change the
/// native environment on Unix, hence libc's setenv.
/// </summary>
public static partial class OpenMpEnvironment
{
    public static void PreferPassiveWaiting()
    {
        if (!OperatingSystem.IsLinux()) return;
        _ = SetEnv("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
    }

    /// <summary>OMP_WAIT_POLICY as the OpenMP runtimes see it (the native environment), or null.</summary>
    public static string? WaitPolicy => OperatingSystem.IsLinux() ? Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY")) : null;

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
