namespace DeepSharp.Bench;

/// <summary>
/// One benchmark the program can run, selected by <see cref="Name"/> on the command line.
/// To add a workload, add one class implementing this interface under bench/Workloads/:
/// the program finds it by reflection.
/// </summary>
public interface IWorkload
{
    /// <summary>The command-line name, e.g. "gemm".</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Description { get; }

    /// <summary>Runs the workload and prints its results.</summary>
    void Run(BenchOptions options);
}
