using System.Runtime.InteropServices;

namespace DeepSharp.Mpi;

/// <summary>
/// A thin binding to the system's MPI, loaded at run time: Open MPI (<c>libmpi.so.40</c>: handles are the addresses
/// of exported globals such as <c>ompi_mpi_comm_world</c>, MPI_IN_PLACE is 1) or MPICH (<c>libmpich.so.12</c>:
/// handles are integer constants from mpi.h, MPI_IN_PLACE is -1). Handles travel as <see cref="nint"/> (an int
/// handle in a 64-bit register reads the same to the callee). Only the calls the world needs are bound.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    public string Flavor { get; }
    public string Path { get; }
    public nint CommWorld { get; }
    public nint Float { get; }
    public nint Double { get; }
    public nint Int { get; }
    public nint Sum { get; }
    public nint InPlace { get; }

    public readonly delegate* unmanaged<int*, byte***, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int> FinalizeCall;
    public readonly delegate* unmanaged<nint, int, int> Abort;
    public readonly delegate* unmanaged<nint, int*, int> CommRank;
    public readonly delegate* unmanaged<nint, int*, int> CommSize;
    public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, void*, int> Iallreduce;
    public readonly delegate* unmanaged<void*, int, nint, int, nint, void*, int> Ibcast;
    public readonly delegate* unmanaged<void*, int*, void*, int> Test;
    public readonly delegate* unmanaged<void*, int, nint, int, int, nint, void*, int> Isend;
    public readonly delegate* unmanaged<int, int, nint, int*, void*, int> Iprobe;

    private MpiLibrary(string flavor, string path, nint lib, nint commWorld, nint f, nint d, nint i, nint sum, nint inPlace)
    {
        Flavor = flavor; Path = path;
        CommWorld = commWorld; Float = f; Double = d; Int = i; Sum = sum; InPlace = inPlace;
        InitThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export(lib, "MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export(lib, "MPI_Initialized");
        FinalizeCall = (delegate* unmanaged<int>)Export(lib, "MPI_Finalize");
        Abort = (delegate* unmanaged<nint, int, int>)Export(lib, "MPI_Abort");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export(lib, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export(lib, "MPI_Comm_size");
        Iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, void*, int>)Export(lib, "MPI_Iallreduce");
        Ibcast = (delegate* unmanaged<void*, int, nint, int, nint, void*, int>)Export(lib, "MPI_Ibcast");
        Test = (delegate* unmanaged<void*, int*, void*, int>)Export(lib, "MPI_Test");
        Isend = (delegate* unmanaged<void*, int, nint, int, int, nint, void*, int>)Export(lib, "MPI_Isend");
        Iprobe = (delegate* unmanaged<int, int, nint, int*, void*, int>)Export(lib, "MPI_Iprobe");
    }

    /// <summary>The libraries tried, in order: Open MPI first under Open MPI's launcher, MPICH first otherwise.</summary>
    internal static IReadOnlyList<string> Candidates(bool openMpiLauncher) => openMpiLauncher
        ? ["libmpi.so.40", "libmpich.so.12", "libmpi.so.12"]
        : ["libmpich.so.12", "libmpi.so.12", "libmpi.so.40"];

    /// <summary>Loads the first MPI library found, or returns null (with what was tried) when there is none.</summary>
    public static MpiLibrary? TryLoad(bool openMpiLauncher, out string tried)
    {
        var names = Candidates(openMpiLauncher);
        tried = string.Join(", ", names);
        foreach (var name in names)
        {
            if (!NativeLibrary.TryLoad(name, out nint lib)) continue;
            if (NativeLibrary.TryGetExport(lib, "ompi_mpi_comm_world", out nint comm))
                return new MpiLibrary("Open MPI", name, lib, comm,
                    Export(lib, "ompi_mpi_float"), Export(lib, "ompi_mpi_double"), Export(lib, "ompi_mpi_int"),
                    Export(lib, "ompi_mpi_op_sum"), 1);
            if (NativeLibrary.TryGetExport(lib, "MPIR_Err_return_comm", out _) || name.Contains("mpich", StringComparison.Ordinal))
                // MPICH's mpi.h (3.x and 4.x): MPI_COMM_WORLD, MPI_FLOAT, MPI_DOUBLE, MPI_INT, MPI_SUM, MPI_IN_PLACE.
                return new MpiLibrary("MPICH", name, lib, 0x44000000, 0x4c00040a, 0x4c00080b, 0x4c000405, 0x58000003, -1);
            NativeLibrary.Free(lib);
        }
        return null;
    }

    private static nint Export(nint lib, string name) =>
        NativeLibrary.TryGetExport(lib, name, out nint p) ? p
            : throw new DllNotFoundException($"The MPI library has no '{name}': an MPI-3 library (Open MPI 1.8+ or MPICH 3+) is needed.");

    /// <summary>Throws when an MPI call returned an error code.</summary>
    public static void Check(int code, string call)
    {
        if (code != 0) throw new Worlds.WorldException($"{call} failed with MPI error code {code}.");
    }
}
