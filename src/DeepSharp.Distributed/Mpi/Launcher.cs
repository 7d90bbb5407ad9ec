namespace DeepSharp.Mpi;

/// <summary>Which launcher (if any) started this process, told by the environment it sets.</summary>
internal sealed record Launcher(string Name, string Variable, bool IsOpenMpi)
{
    /// <summary>The launcher's variables, in the order checked.</summary>
    private static readonly (string Variable, string Name, bool OpenMpi)[] Known =
    [
        ("OMPI_COMM_WORLD_SIZE", "Open MPI's mpirun", true),
        ("PMIX_RANK", "a PMIx launcher (Open MPI, Slurm)", true),
        ("PMI_SIZE", "an MPICH launcher (mpiexec.hydra, Slurm PMI)", false),
        ("PMI_RANK", "an MPICH launcher (mpiexec.hydra, Slurm PMI)", false),
        ("MPI_LOCALNRANKS", "an MPICH launcher (mpiexec.hydra)", false),
    ];

    public static Launcher? Detect() => Detect(Environment.GetEnvironmentVariable);

    internal static Launcher? Detect(Func<string, string?> environment)
    {
        foreach (var (variable, name, openMpi) in Known)
            if (!string.IsNullOrEmpty(environment(variable))) return new Launcher(name, variable, openMpi);
        // srun without an MPI plugin starts N copies that each see only SLURM_*: MPI finds its peers through PMI then.
        if (int.TryParse(environment("SLURM_NTASKS"), out int tasks) && tasks > 1 && !string.IsNullOrEmpty(environment("SLURM_PROCID")))
            return new Launcher("Slurm's srun", "SLURM_PROCID", false);
        return null;
    }
}
