using DeepSharp.Backends.Cpu;

namespace DeepSharp.Tests.Compute;

/// <summary>
/// Every GEMM path the CPU supports against <see cref="Gemm.Reference"/>: odd sizes, all transposes,
/// padded strides, accumulate, bias, ReLU and k = 0.
/// </summary>
/// <summary>
/// Runs alone: the GEMM path and the thread count these tests switch are global, so a test elsewhere that compares two
/// GEMM results bit for bit (FastPathTests' implicit forward) could see one on each path. Seen once in CI under
/// DOTNET_EnableAVX2=0: the Vector128 and portable kernels round differently.
/// </summary>
[CollectionDefinition("GemmPath", DisableParallelization = true)]
public sealed class GemmPathCollection;

[Collection("GemmPath")]
public class GemmTests
{
    /// <summary>The paths this CPU supports, by name (GemmPath is internal, xunit theories need public types).</summary>
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (var p in Enum.GetValues<GemmPath>())
            if (GemmKernels.IsSupported(p)) data.Add(p.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void OddSizesAllTransposes(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        int[] sizes = [1, 7, 13, 31, 65, 130];
        var rng = new Random(1);
        int cases = 0;
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (int m in sizes)
                    foreach (int n in sizes)
                        foreach (int k in new[] { 1, 13, 130 })
                        {
                            // Keep the total cheap: the reference is a triple loop in double.
                            if ((long)m * n * k > 100_000 && rng.Next(4) != 0) continue;
                            Check(path, ta, tb, m, n, k, pad: (m + n + k) % 3, accumulate: false, bias: false, relu: false, rng);
                            cases++;
                        }
        Assert.True(cases > 150);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void StridesAccumulateBiasRelu(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        var rng = new Random(2);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (var (m, n, k) in new[] { (37, 45, 270), (130, 33, 29), (12, 64, 9), (5, 100, 300) })
                {
                    Check(path, ta, tb, m, n, k, pad: 5, accumulate: true, bias: false, relu: false, rng);
                    Check(path, ta, tb, m, n, k, pad: 3, accumulate: false, bias: true, relu: true, rng);
                    Check(path, ta, tb, m, n, k, pad: 0, accumulate: true, bias: true, relu: true, rng);
                }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void LargeBlocksAndThreads(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        // Crosses the KC and MC block edges and splits over threads (rows, columns, depth).
        var rng = new Random(3);
        int savedThreads = Workers.ThreadCount;
        Workers.SetThreadCount(Math.Max(2, savedThreads)); // split even on a one-core machine
        try
        {
            Check(path, false, false, 300, 13, 300, pad: 1, accumulate: true, bias: true, relu: true, rng);   // rows split
            Check(path, true, true, 3, 200, 270, pad: 2, accumulate: false, bias: true, relu: false, rng);   // columns split
            Check(path, true, false, 3, 13, 4000, pad: 0, accumulate: true, bias: true, relu: true, rng);     // depth split
            Check(path, true, false, 40, 20, 600, pad: 1, accumulate: true, bias: true, relu: true, rng);     // deep: depth split
            Check(path, false, true, 24, 700, 300, pad: 1, accumulate: true, bias: true, relu: true, rng);    // wide B: columns split
        }
        finally { Workers.SetThreadCount(savedThreads); }
    }

    [Theory]
    // MNIST's second convolution, forward (7744×64×288, 4 column tiles): rows, or both threads pack all of A.
    [InlineData(7744, 64, 288, true)]
    [InlineData(43264, 32, 9, true)]      // MNIST's first convolution: 2 column tiles, A is 43264×9
    [InlineData(24, 2048, 300, false)]    // few rows, wide B: columns, or both threads pack all of B
    [InlineData(512, 512, 512, true)]     // square: a tie goes to rows
    public void ThreadsSplitTheSideThatPacksLess(int m, int n, int k, bool rows)
    {
        int mTiles = (m + 5) / 6, nTiles = (n + 15) / 16; // the AVX2 kernel's 6×16 tiles
        Assert.Equal(rows, GemmKernels.SplitRows(m, n, k, mTiles, nTiles, threads: 2));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void BRowsOnePanelWideAreReadInPlace(string pathName)
    {
        // B with ldb = NR (16 or 32) is used without packing; the rest of the matrices still are packed.
        var path = Enum.Parse<GemmPath>(pathName);
        var rng = new Random(5);
        foreach (int n in new[] { 16, 32 })
        {
            Check(path, false, false, 50, n, 300, pad: 0, accumulate: false, bias: true, relu: true, rng);
            Check(path, true, false, 7, n, 600, pad: 0, accumulate: true, bias: false, relu: false, rng);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ZeroDepthGivesBiasOrKeepsC(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        var rng = new Random(4);
        Check(path, false, false, 9, 17, 0, pad: 2, accumulate: true, bias: true, relu: true, rng);
        Check(path, true, true, 9, 17, 0, pad: 0, accumulate: false, bias: true, relu: false, rng);
        Check(path, false, true, 3, 4, 0, pad: 0, accumulate: false, bias: false, relu: false, rng);
    }

    [Fact]
    public void RejectsOperandsThatDoNotFit()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[3];
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 3, b, 2, c, 2));
        Assert.Contains("C (2×2", e.Message);
    }

    private static void Check(GemmPath path, bool ta, bool tb, int m, int n, int k, int pad,
        bool accumulate, bool bias, bool relu, Random rng)
    {
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        var a = RandomArray(Math.Max(1, aRows * lda), rng);
        var b = RandomArray(Math.Max(1, bRows * ldb), rng);
        var c0 = RandomArray(m * ldc, rng);
        var bi = bias ? RandomArray(n, rng) : [];
        var expected = (float[])c0.Clone();
        var actual = (float[])c0.Clone();
        var ep = relu ? Epilogue.Relu : Epilogue.None;

        Gemm.Reference(ta, tb, m, n, k, a, lda, b, ldb, expected, ldc, accumulate, bi, ep);
        var saved = GemmKernels.Path;
        GemmKernels.Path = path;
        try { Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, actual, ldc, accumulate, bi, ep); }
        finally { GemmKernels.Path = saved; }

        for (int i = 0; i < m; i++)
            for (int j = 0; j < ldc; j++)
            {
                int at = i * ldc + j;
                if (j >= n)
                {
                    Assert.True(actual[at] == c0[at], $"{path} {Describe()}: padding C[{i},{j}] was overwritten.");
                    continue;
                }
                double scale = 1e-30 + (accumulate ? Math.Abs(c0[at]) : 0) + (bias ? Math.Abs(bi[j]) : 0);
                for (int p = 0; p < k; p++)
                    scale += Math.Abs((ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]));
                double err = Math.Abs(actual[at] - expected[at]);
                Assert.True(err <= 1e-5 * scale,
                    $"{path} {Describe()}: C[{i},{j}] = {actual[at]}, reference {expected[at]} (error {err:g3}, scale {scale:g3}).");
            }

        string Describe() => $"transA={ta} transB={tb} m={m} n={n} k={k} pad={pad} acc={accumulate} bias={bias} relu={relu}";
    }

    private static float[] RandomArray(int length, Random rng)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
