namespace DeepSharp.Bench;

/// <summary>
/// One benchmark the program can run, selected by <see cref="Name"/> on the command line.
/// To add a workload, add one class implementing this interface under bench/Workloads/:
/// the program finds it by reflection.
/// </summary>
/// <example>
/// <code>
/// public sealed class SoftmaxWorkload : IWorkload
/// {
///     public string Name => "softmax";
///     public string Description => "softmax over 256×1000 logits";
///     public void Run(BenchOptions options)
///     {
///         var t = Timing.MeasureBatched(() => Softmax(logits), repeats: options.Int("repeats", 7));
///         var table = new ResultTable("op", "time");
///         table.Add("softmax", ResultTable.Seconds(t.Median));
///         table.Print();
///     }
/// }
/// </code>
/// </example>
public interface IWorkload
{
    /// <summary>The command-line name, e.g. "gemm".</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Description { get; }

    /// <summary>Runs the workload and prints its results.</summary>
    void Run(BenchOptions options);
}
