using System.Globalization;

namespace VimDense.Engine.Distributed;

/// <summary>
/// The rank layout a launcher (Open MPI's mpirun, MPICH's Hydra, Slurm's srun) announces in the environment, read
/// before MPI is initialised so that a plain single-process run never loads MPI.
/// </summary>
public sealed record LaunchEnvironment(int Rank, int Size, int LocalRank, int LocalSize, string? Launcher)
{
    /// <summary>Open MPI, then MPICH/Hydra (PMI), then PMIx/Slurm variables; a plain process is rank 0 of 1.</summary>
    public static LaunchEnvironment Detect(Func<string, string?>? getenv = null)
    {
        getenv ??= Environment.GetEnvironmentVariable;
        (string Name, string Rank, string Size, string LocalRank, string LocalSize)[] launchers =
        [
            ("Open MPI", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE"),
            ("MPICH", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"),
            ("PMIx", "PMIX_RANK", "PMIX_SIZE", "PMIX_LOCAL_RANK", "PMIX_LOCAL_SIZE"),
            ("Slurm", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", "SLURM_NTASKS_PER_NODE"),
        ];
        foreach (var (name, rankKey, sizeKey, localRankKey, localSizeKey) in launchers)
        {
            if (Int(getenv(rankKey)) is not { } rank || Int(getenv(sizeKey)) is not { } size) continue;
            var localRank = Int(getenv(localRankKey)) ?? rank;
            var localSize = Int(getenv(localSizeKey)) ?? size;
            return new LaunchEnvironment(rank, size, localRank, localSize, name);
        }
        return new LaunchEnvironment(0, 1, 0, 1, null);
    }

    /// <summary>More than one process: MPI must be initialised.</summary>
    public bool IsDistributed => Size > 1;

    private static int? Int(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
