using DeepSharp.Backends.Cpu;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>gemm</c>: GFLOP/s of <see cref="Gemm.Multiply"/> on a square product and on the GEMMs of the
/// chapter's MNIST convnet (forward, input gradient and weight gradient of each convolution, batch 64).
/// Options: --threads N, --path Avx512|Avx2|Portable, --repeats N, --shape NAME (substring filter).
/// </summary>
public sealed class GemmWorkload : IWorkload
{
    public string Name => "gemm";
    public string Description => "GEMM GFLOP/s on 512³ and the MNIST convnet's shapes (--threads, --path, --shape, --repeats)";

    private sealed record Shape(string Name, bool TransA, bool TransB, int M, int N, int K);

    private static readonly Shape[] Shapes =
    [
        new("square 512", false, false, 512, 512, 512),
        new("conv1 fwd (k=9)", false, false, 64 * 26 * 26, 32, 9),
        new("conv1 wgrad", true, false, 9, 32, 64 * 26 * 26),
        new("conv2 fwd", false, false, 64 * 11 * 11, 64, 288),
        new("conv2 dgrad", false, true, 64 * 11 * 11, 288, 64),
        new("conv2 wgrad", true, false, 288, 64, 64 * 11 * 11),
        new("conv2 wgrad swapped", true, false, 64, 288, 64 * 11 * 11),
        new("conv3 fwd", false, false, 64 * 3 * 3, 64, 576),
        new("conv3 dgrad", false, true, 64 * 3 * 3, 576, 64),
        new("conv3 wgrad", true, false, 576, 64, 64 * 3 * 3),
        new("dense 576→64", false, false, 64, 64, 576),
        // Cats-vs-dogs convs, one im2col chunk (2 or 6 images) as Conv2DOp runs them.
        new("cd conv2 fwd", false, false, 2 * 72 * 72, 64, 288),
        new("cd conv2 wgrad", true, false, 288, 64, 2 * 72 * 72),
        new("cd conv2 dgrad", false, true, 2 * 72 * 72, 288, 64),
        new("cd conv3 fwd", false, false, 6 * 34 * 34, 128, 576),
        new("cd conv3 wgrad", true, false, 576, 128, 6 * 34 * 34),
        new("cd conv3 dgrad", false, true, 6 * 34 * 34, 576, 128),
    ];

    public void Run(BenchOptions options)
    {
        int threads = options.Threads();
        int repeats = options.Int("repeats", 7);
        string? filter = options.String("shape");
        string? pathName = options.String("path");
        var path = pathName == null ? GemmKernels.BestPath : Enum.Parse<GemmPath>(pathName, ignoreCase: true);

        double peak = FmaPeak.GflopsPerSecond(threads);
        Console.WriteLine($"GEMM, path {path}, {threads} thread(s), FMA peak {ResultTable.Num(peak)} GFLOP/s");
        int savedThreads = Workers.ThreadCount;
        var savedPath = GemmKernels.Path;
        Workers.SetThreadCount(threads);
        GemmKernels.Path = path;
        try
        {
            var table = new ResultTable("shape", "m", "n", "k", "time", "GFLOP/s", "min", "max", "% peak", "alloc/call");
            foreach (var s in Shapes.Where(s => filter == null || s.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
            {
                var a = Filled((long)s.M * s.K, 1);
                var b = Filled((long)s.K * s.N, 2);
                var c = new float[(long)s.M * s.N];
                var bias = Filled(s.N, 3);
                int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
                void Call() => Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a, lda, b, ldb, c, s.N, false, bias, Epilogue.Relu);
                var stats = Timing.MeasureBatched(Call, repeats: repeats);
                var before = ProcessCounters.Now();
                const int calls = 20;
                for (int i = 0; i < calls; i++) Call();
                var used = ProcessCounters.Now() - before;
                double flops = 2.0 * s.M * s.N * s.K;
                var rate = stats.Rate(flops / 1e9);
                table.Add(s.Name, s.M.ToString(), s.N.ToString(), s.K.ToString(), ResultTable.Seconds(stats.Median),
                    ResultTable.Num(rate.Median), ResultTable.Num(rate.Worst), ResultTable.Num(rate.Best),
                    ResultTable.Num(100 * rate.Median / peak, 0), ResultTable.Bytes(used.AllocatedBytes / calls));
            }
            table.Print();
        }
        finally
        {
            Workers.SetThreadCount(savedThreads);
            GemmKernels.Path = savedPath;
        }
    }

    private static float[] Filled(long length, int seed)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (long i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() - 0.5);
        return x;
    }
}
