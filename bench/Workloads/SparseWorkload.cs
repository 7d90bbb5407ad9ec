using DeepSharp.Backends.Cpu;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>sparse-backward</c>: a convolution's backward pass (dx and dW) from a dz with a given share of nonzeros, the
/// dense path against the sparse one, on MNIST's conv2d_1 (64 × 13×13×32 → 11×11×64) by default.
/// Options: --density X (default 0.12), --batch N, --repeats N.
/// </summary>
public sealed class SparseWorkload : IWorkload
{
    public string Name => "sparse-backward";
    public string Description => "a convolution's backward from a sparse dz: dense path vs sparse pass (--density X, --batch N)";

    public void Run(BenchOptions options)
    {
        Workers.SetThreadCount(options.Threads());
        double density = double.Parse(options.String("density", "0.12")!, System.Globalization.CultureInfo.InvariantCulture);
        int batch = options.Int("batch", 64), repeats = options.Int("repeats", 30);
        var g = ConvGeometry.Create(batch, 13, 13, 32, 3, 3, 1, 1, Padding.Valid);
        var rng = new Random(1);
        Tensor R(params int[] shape) { var t = new Tensor(shape); for (int i = 0; i < t.Size; i++) t.Span[i] = (float)rng.NextDouble() - 0.5f; return t; }
        var x = R(batch, 13, 13, 32);
        var kernel = R(3, 3, 32, 64);
        var dz = R(batch, 11, 11, 64);
        for (int i = 0; i < dz.Size; i++) if (rng.NextDouble() >= density) dz.Span[i] = 0;
        var dx = new Tensor(batch, 13, 13, 32);
        var dw = new Tensor(3, 3, 32, 64);
        float[]? ws = null;
        int rows = batch * 121;
        var (starts, channels, values) = (new int[rows + 1], new int[rows * 64], new float[rows * 64]);
        var table = new ResultTable("pass", "ms (median)", "min");
        foreach (var (name, act) in new (string, Action)[]
        {
            ("dense dx + dW", () => { var o = Backends.Backend.Cpu.Options; double s = o.SparseBackwardMaxDensity; o.SparseBackwardMaxDensity = 0; Conv2DOp.Backward(x, kernel, dz, dx, dw, null, g, ref ws); o.SparseBackwardMaxDensity = s; }),
            ("sparse dx + dW", () => SparseConvGradient.Backward(x, kernel, dz, dx, dw, g, ref ws, VectorPaths.Best)),
            ("sparse dx", () => SparseConvGradient.Backward(x, kernel, dz, dx, null, g, ref ws, VectorPaths.Best)),
            ("sparse dW", () => SparseConvGradient.Backward(x, kernel, dz, null, dw, g, ref ws, VectorPaths.Best)),
            ("gather only", () => Gather(dz, rows, 64, starts, channels, values)),
            ("density sample", () => SparseConvGradient.Density(dz.Data, g.OutPixels, 64)),
        })
        {
            var t = Timing.MeasureBatched(act, 0.02, 3, repeats);
            table.Add(name, ResultTable.Num(t.Median * 1e3, 3), ResultTable.Num(t.Min * 1e3, 3));
        }
        Console.WriteLine($"conv 13×13×32 → 11×11×64, batch {batch}, dz {density:P0} nonzero, {Workers.ThreadCount} threads");
        table.Print();
    }

    private static unsafe void Gather(Tensor dz, int rows, int f, int[] starts, int[] channels, float[] values)
    {
        fixed (float* p = dz.Data, v = values)
        fixed (int* s = starts, c = channels)
            SparseGradientKernels.GatherRows(p, rows, f, s, c, v, VectorPaths.Best);
    }
}
