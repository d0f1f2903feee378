using System.Globalization;
using TorchSharp;

namespace VimDense.Engine.Distributed;

/// <summary>
/// The process group of this process, made on first use from the launcher's environment (<see cref="LaunchEnvironment"/>):
/// MPI when started as one of several ranks (mpirun, srun), else the one-process group, so a plain run never loads
/// MPI. Layers that must talk across ranks (SyncBN) and the trainer read it here. VIMDENSE_THREADS (set by
/// `vimdense launch`) sets the torch threads of each rank.
/// </summary>
public static class ProcessGroups
{
    private static readonly object Gate = new();
    private static IProcessGroup? current;

    public static IProcessGroup Current
    {
        get
        {
            lock (Gate) return current ??= Create(LaunchEnvironment.Detect());
        }
    }

    /// <summary>Uses <paramref name="group"/> from now on (tests, or a NCCL group made over the MPI one).</summary>
    public static void Use(IProcessGroup group)
    {
        lock (Gate) current = group;
    }

    /// <summary>Ends MPI cleanly after a successful run (a no-op for one process or when MPI was never started).</summary>
    public static void Finish()
    {
        lock (Gate)
        {
            (current as NcclProcessGroup)?.Dispose();
            (current as MpiProcessGroup)?.Shutdown();
        }
    }

    private static IProcessGroup Create(LaunchEnvironment launch)
    {
        if (Environment.GetEnvironmentVariable("VIMDENSE_THREADS") is { } text
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var threads) && threads > 0)
            torch.set_num_threads(threads);
        return launch.IsDistributed ? MpiProcessGroup.Initialize(launch) : SingleProcessGroup.Instance;
    }
}
