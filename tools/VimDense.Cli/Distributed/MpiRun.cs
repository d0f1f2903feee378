using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace VimDense.Cli.Distributed;

/// <summary>
/// Starts `vimdense` ranks through Open MPI's mpirun: --bind-to none (mpirun's default pins each rank to one core,
/// which would leave a rank's torch threads on one core), OMP_NUM_THREADS / VIMDENSE_THREADS = cores per local rank,
/// the variables Open MPI wants before running as root, --oversubscribe when one machine gets more ranks than cores.
/// VIMDENSE_MPIRUN names another mpirun.
/// </summary>
public sealed partial record MpiRun(int Processes, string? Hosts = null, int? Threads = null, IReadOnlyList<string>? Mca = null)
{
    /// <summary>Ranks on the busiest machine: all of them on one machine, else the largest slot count of --hosts.</summary>
    public int RanksPerMachine => Hosts is null ? Processes : Math.Min(Processes, ParseHosts(Hosts).Max(h => h.Slots));

    public int ThreadsPerRank => Threads ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, RanksPerMachine));

    /// <summary>The mpirun program and its arguments for running `vimdense <paramref name="command"/>` on every rank.</summary>
    public (string Program, List<string> Arguments) CommandLine(IEnumerable<string> command)
    {
        if (Processes < 1) throw new UserInputException($"--nproc {Processes}: expected at least 1");
        var threads = ThreadsPerRank.ToString(CultureInfo.InvariantCulture);
        var args = new List<string> { "-np", Processes.ToString(CultureInfo.InvariantCulture), "--bind-to", "none" };
        if (Hosts is not null) args.AddRange(["--host", string.Join(',', ParseHosts(Hosts).Select(h => $"{h.Name}:{h.Slots}"))]);
        else if (Processes > Environment.ProcessorCount) args.Add("--oversubscribe");
        foreach (var setting in Mca ?? [])
        {
            var eq = setting.IndexOf('=');
            if (eq <= 0) throw new UserInputException($"--mca '{setting}': expected KEY=VALUE (e.g. btl=tcp,self)");
            args.AddRange(["--mca", setting[..eq], setting[(eq + 1)..]]);
        }
        args.AddRange(["-x", $"OMP_NUM_THREADS={threads}", "-x", $"VIMDENSE_THREADS={threads}"]);
        // The same dotnet host and vimdense.dll on every machine (the same paths, as MPI expects).
        args.Add(Environment.ProcessPath ?? "dotnet");
        args.Add(typeof(MpiRun).Assembly.Location);
        args.AddRange(command);
        return (Environment.GetEnvironmentVariable("VIMDENSE_MPIRUN") is { Length: > 0 } mpirun ? mpirun : "mpirun", args);
    }

    /// <summary>Runs the ranks with this process's standard streams; returns mpirun's exit code.</summary>
    public int Run(IEnumerable<string> command, Action<string>? show = null)
    {
        var (program, args) = CommandLine(command);
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        AllowRoot(start);
        show?.Invoke($"{program} {string.Join(' ', args)}");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new UserInputException($"{program} not found: install Open MPI (apt-get install openmpi-bin) or set VIMDENSE_MPIRUN");
        }
        using (process)
        {
            process.WaitForExit();
            return process.ExitCode;
        }
    }

    /// <summary>Open MPI refuses to run as root unless told twice in its environment.</summary>
    public static void AllowRoot(ProcessStartInfo start)
    {
        if (geteuid() != 0) return;
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
    }

    /// <summary>"h1:4,h2:4" (a host without a count has one slot).</summary>
    public static List<(string Name, int Slots)> ParseHosts(string hosts)
    {
        var list = new List<(string, int)>();
        foreach (var entry in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length > 2 || parts[0].Length == 0
                || (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)))
                throw new UserInputException($"--hosts '{entry}': expected HOST or HOST:SLOTS (e.g. node1:4,node2:4)");
            list.Add((parts[0], parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 1));
        }
        if (list.Count == 0) throw new UserInputException("--hosts: no host given");
        return list;
    }

    [LibraryImport("libc.so.6")]
    private static partial uint geteuid();
}
