using System.Runtime.InteropServices;

namespace VimDense.Engine.Distributed;

/// <summary>
/// The C API of the MPI library found at run time (no compile-time MPI): Open MPI's libmpi.so.40, whose handles are
/// the addresses of exported globals (ompi_mpi_comm_world, ompi_mpi_float, …) and whose MPI_IN_PLACE is 1, or
/// MPICH's libmpi.so.12, whose handles are integer constants and whose MPI_IN_PLACE is −1. VIMDENSE_MPI_LIB names
/// another file. Handles are held as <c>nint</c> for both: MPICH's 32-bit handle values are positive, and a 32-bit
/// integer argument travels in the low half of the same 64-bit register on x86-64 and AArch64, so one set of
/// function pointers serves both ABIs.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    public const int ThreadSerialized = 2; // the same value in Open MPI and MPICH

    private MpiLibrary(nint handle, string path)
    {
        Path = path;
        IsOpenMpi = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out var world);
        if (IsOpenMpi)
        {
            CommWorld = world;
            Byte = NativeLibrary.GetExport(handle, "ompi_mpi_byte");
            Int = NativeLibrary.GetExport(handle, "ompi_mpi_int");
            Float = NativeLibrary.GetExport(handle, "ompi_mpi_float");
            Double = NativeLibrary.GetExport(handle, "ompi_mpi_double");
            LongLong = NativeLibrary.GetExport(handle, "ompi_mpi_long_long_int");
            Sum = NativeLibrary.GetExport(handle, "ompi_mpi_op_sum");
            InPlace = 1;
        }
        else
        {
            // MPICH's mpi.h (4.0): MPI_COMM_WORLD, MPI_BYTE, MPI_INT, MPI_FLOAT, MPI_DOUBLE, MPI_LONG_LONG_INT, MPI_SUM.
            (CommWorld, Byte, Int, Float, Double, LongLong, Sum) = (0x44000000, 0x4c00010d, 0x4c000405, 0x4c00040a, 0x4c00080b, 0x4c000809, 0x58000003);
            InPlace = -1;
        }
        Initialized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(handle, "MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(handle, "MPI_Finalized");
        InitThread = (delegate* unmanaged<int*, nint, int, int*, int>)NativeLibrary.GetExport(handle, "MPI_Init_thread");
        Finalize = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(handle, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(handle, "MPI_Comm_size");
        Allreduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)NativeLibrary.GetExport(handle, "MPI_Allreduce");
        Bcast = (delegate* unmanaged<nint, int, nint, int, nint, int>)NativeLibrary.GetExport(handle, "MPI_Bcast");
        Barrier = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(handle, "MPI_Barrier");
        Allgather = (delegate* unmanaged<nint, int, nint, nint, int, nint, nint, int>)NativeLibrary.GetExport(handle, "MPI_Allgather");
        Allgatherv = (delegate* unmanaged<nint, int, nint, nint, int*, int*, nint, nint, int>)NativeLibrary.GetExport(handle, "MPI_Allgatherv");
        Abort = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(handle, "MPI_Abort");
    }

    public string Path { get; }
    public bool IsOpenMpi { get; }
    public nint CommWorld { get; }
    public nint Byte { get; }
    public nint Int { get; }
    public nint Float { get; }
    public nint Double { get; }
    public nint LongLong { get; }
    public nint Sum { get; }
    public nint InPlace { get; }

    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int*, nint, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<nint, int*, int> CommRank;
    public readonly delegate* unmanaged<nint, int*, int> CommSize;
    public readonly delegate* unmanaged<nint, nint, int, nint, nint, nint, int> Allreduce;
    public readonly delegate* unmanaged<nint, int, nint, int, nint, int> Bcast;
    public readonly delegate* unmanaged<nint, int> Barrier;
    public readonly delegate* unmanaged<nint, int, nint, nint, int, nint, nint, int> Allgather;
    public readonly delegate* unmanaged<nint, int, nint, nint, int*, int*, nint, nint, int> Allgatherv;
    public readonly delegate* unmanaged<nint, int, int> Abort;

    /// <summary>VIMDENSE_MPI_LIB, else the first of libmpi.so.40 (Open MPI), libmpi.so.12 (MPICH), libmpi.so that loads.</summary>
    public static MpiLibrary Load()
    {
        var overridePath = Environment.GetEnvironmentVariable("VIMDENSE_MPI_LIB");
        string[] candidates = string.IsNullOrEmpty(overridePath) ? ["libmpi.so.40", "libmpi.so.12", "libmpi.so"] : [overridePath];
        var errors = new List<string>();
        foreach (var name in candidates)
        {
            // Open MPI loads its components (shared objects) later, and they resolve MPI symbols globally:
            // the library must be opened RTLD_GLOBAL, which NativeLibrary.Load does not do.
            var handle = dlopen(name, RtldNow | RtldGlobal);
            if (handle == 0)
            {
                errors.Add(Marshal.PtrToStringUTF8(dlerror()) ?? name);
                continue;
            }
            return new MpiLibrary(handle, name);
        }
        throw new DllNotFoundException(
            $"no MPI library could be loaded ({string.Join("; ", errors)}); install Open MPI (apt-get install openmpi-bin) or set VIMDENSE_MPI_LIB");
    }

    /// <summary>Throws when an MPI call did not return MPI_SUCCESS (0).</summary>
    public static void Check(int code, string call)
    {
        if (code != 0) throw new InvalidOperationException($"{call} failed with MPI error code {code}");
    }

    private const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libdl.so.2", EntryPoint = "dlopen")]
    private static extern nint dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libdl.so.2", EntryPoint = "dlerror")]
    private static extern nint dlerror();
}
