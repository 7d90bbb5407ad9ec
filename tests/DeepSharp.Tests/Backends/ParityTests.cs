using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Backends.Reference;

namespace DeepSharp.Tests.Backends;

/// <summary>
/// The CPU backend against the reference backend (plain loops, double sums) on every primitive of <see cref="IBackend"/>,
/// through the interface: odd sizes, strides, "same" and "valid" padding, batch 1 and 7. Each CPU result is taken at every
/// vector width this process accelerates (the <c>DOTNET_Enable*</c> knobs of tools/test-knobs.sh and the ARM64 run add
/// the others) and under option sets that force each path: the defaults, Winograd (forward, input and kernel gradients,
/// per-thread chunks), no Winograd and no implicit GEMM (im2col in small chunks, one thread), the sparse backward.
/// Tolerance: 2e-4 of the reference's largest magnitude (Winograd's transforms round a little more than a dot product).
/// </summary>
[Collection("GemmPath")]   // it changes the CPU backend's options, which every kernel reads
public partial class ParityTests
{
    private static readonly IBackend Reference = new ReferenceBackend();
    private static IBackend Cpu => Backend.Cpu;

    /// <summary>Option sets that between them take every path of the CPU backend (on shapes that qualify).</summary>
    private static IEnumerable<(string Name, CpuBackendOptions Options)> PathSets(VectorWidth width)
    {
        yield return ("defaults", new CpuBackendOptions { VectorWidth = width });
        yield return ("winograd", new CpuBackendOptions
        {
            VectorWidth = width, WinogradMinChannels = 8, WinogradInputGradient = true, WinogradKernelGradient = true,
            WinogradKernelGradientMinChannels = 8, WinogradThreadChunkFloats = 4096,
        });
        yield return ("im2col", new CpuBackendOptions
        {
            VectorWidth = width, Winograd = false, ImplicitGemm = false, ImplicitInputGradient = false, FirstLayerDirectGradient = false,
            Im2ColChunkFloats = 64, Threads = 1,
        });
        yield return ("sparse", new CpuBackendOptions { VectorWidth = width, SparseBackwardMaxDensity = 1 });
    }

    private static IEnumerable<VectorWidth> Widths() =>
        new[] { VectorWidth.W512, VectorWidth.W256, VectorWidth.W128, VectorWidth.Scalar }.Where(VectorPaths.IsAccelerated);

    /// <summary>Runs body under every width and path set, restoring the options after.</summary>
    private static void UnderEveryPath(Action<string> body)
    {
        var saved = Backend.Cpu.Options;
        try
        {
            foreach (var width in Widths())
                foreach (var (name, options) in PathSets(width))
                {
                    Backend.Cpu.Options = options;
                    body($"{width}/{name}");
                }
        }
        finally { Backend.Cpu.Options = saved; }
    }

    private static Tensor Random(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    /// <summary>dy with about 4 in 5 values zero, as behind a max pooling and a ReLU (so the sparse pass runs).</summary>
    private static Tensor Sparse(int seed, params int[] shape)
    {
        var t = Random(seed, shape);
        var rng = new Random(seed + 1);
        for (int i = 0; i < t.Size; i++) if (rng.Next(5) != 0) t.Data[i] = 0;
        return t;
    }

    internal static void AssertClose(Tensor reference, Tensor actual, string what, double tolerance = 2e-4)
    {
        double scale = 1e-6;
        for (int i = 0; i < reference.Size; i++) scale = Math.Max(scale, Math.Abs(reference.Data[i]));
        for (int i = 0; i < reference.Size; i++)
        {
            double diff = Math.Abs(actual.Data[i] - (double)reference.Data[i]);
            Assert.True(diff <= tolerance * scale,
                $"{what}: element {i} is {actual.Data[i]}, the reference {reference.Data[i]} (difference {diff:G3}, allowed {tolerance * scale:G3}).");
        }
    }

    [Theory]
    [InlineData(1, 7, 9, 1, 8, 3, 3, 1, "valid")]     // a first layer: one channel, small patch
    [InlineData(7, 9, 8, 3, 16, 3, 3, 2, "same")]     // stride 2, "same" with odd padding
    [InlineData(2, 6, 6, 5, 7, 2, 3, 1, "same")]      // odd channels and filters, a 2×3 window
    [InlineData(7, 5, 5, 17, 16, 1, 1, 1, "valid")]   // pointwise: a plain GEMM
    [InlineData(2, 10, 10, 16, 32, 3, 3, 1, "same")]  // Winograd-able (with its option set), implicit GEMM
    [InlineData(1, 12, 11, 32, 16, 3, 3, 1, "valid")] // Winograd "valid", batch 1
    [InlineData(3, 6, 7, 20, 5, 5, 5, 1, "same")]     // a 5×5 window, implicit input gradient
    public void Conv2DForwardAndBackward(int batch, int h, int w, int c, int f, int kh, int kw, int stride, string padding)
    {
        var g = ConvGeometry.Create(batch, h, w, c, kh, kw, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(1, batch, h, w, c);
        var kernel = Random(2, kh, kw, c, f);
        var bias = Random(3, f);
        int[] yShape = [batch, g.OutH, g.OutW, f];
        foreach (bool relu in (bool[])[false, true])
        {
            var yRef = new Tensor(yShape);
            Reference.Conv2D(x, kernel, bias, yRef, g, relu, new BackendScratch());
            foreach (bool sparse in (bool[])[false, true])
            {
                var dy = sparse ? Sparse(4, yShape) : Random(4, yShape);
                var (dxRef, dkRef, dbRef) = (new Tensor(x.ShapeArray), new Tensor(kernel.ShapeArray), new Tensor(f));
                Reference.Conv2DBackward(x, kernel, yRef, dy, relu, dxRef, dkRef, dbRef, g, new BackendScratch());
                UnderEveryPath(path =>
                {
                    string what = $"conv {batch}×{h}×{w}×{c} → {f}, {kh}×{kw}/{stride} {padding}, relu {relu}, {path}";
                    var scratch = new BackendScratch();
                    var y = new Tensor(yShape);
                    Cpu.Conv2D(x, kernel, bias, y, g, relu, scratch);
                    AssertClose(yRef, y, what + ": y");
                    var (dx, dk, db) = (new Tensor(x.ShapeArray), new Tensor(kernel.ShapeArray), new Tensor(f));
                    Cpu.Conv2DBackward(x, kernel, yRef, dy, relu, dx, dk, db, g, scratch);
                    AssertClose(dxRef, dx, what + ": dx");
                    AssertClose(dkRef, dk, what + ": dKernel");
                    AssertClose(dbRef, db, what + ": dBias");
                    // Without dx (a first layer): the one-pass kernel gradient where it applies.
                    dk.Span.Clear(); db.Span.Clear();
                    Cpu.Conv2DBackward(x, kernel, yRef, dy, relu, null, dk, db, g, scratch);
                    AssertClose(dkRef, dk, what + ": dKernel without dx");
                    AssertClose(dbRef, db, what + ": dBias without dx");
                });
            }
        }
    }

    [Theory]
    [InlineData(1, 10, 10, 1, 16)]
    [InlineData(7, 12, 13, 3, 32)]
    public void ConvThenMaxPoolFusionMatchesTheTwoBackwardPasses(int batch, int h, int w, int c, int f)
    {
        var g = ConvGeometry.Create(batch, h, w, c, 3, 3, 1, 1, Padding.Valid);
        var pool = ConvGeometry.Create(batch, g.OutH, g.OutW, f, 2, 2, 2, 2, Padding.Valid);
        var (x, kernel, bias) = (Random(1, batch, h, w, c), Random(2, 3, 3, c, f), Random(3, f));
        var y = new Tensor(batch, g.OutH, g.OutW, f);
        var pooled = new Tensor(batch, pool.OutH, pool.OutW, f);
        var argmax = new int[pooled.Size];
        var dPooled = Random(4, pooled.ShapeArray);
        foreach (bool relu in (bool[])[false, true])
        {
            Reference.Conv2D(x, kernel, bias, y, g, relu, new BackendScratch());
            Reference.MaxPool(y, pooled, argmax, pool);
            var dy = new Tensor(y.ShapeArray);
            Reference.MaxPoolBackward(dPooled, argmax, dy, pool);
            var (dkRef, dbRef) = (new Tensor(kernel.ShapeArray), new Tensor(f));
            Reference.Conv2DBackward(x, kernel, y, dy, relu, null, dkRef, dbRef, g, new BackendScratch());
            Assert.False(Reference.TryConv2DBackwardThroughMaxPool(x, kernel, new MaxPoolGradient(dPooled.Data, argmax, pooled.Data, pool), relu, dkRef, dbRef, g));
            UnderEveryPath(path =>
            {
                var (dk, db) = (new Tensor(kernel.ShapeArray), new Tensor(f));
                bool fused = Cpu.TryConv2DBackwardThroughMaxPool(x, kernel, new MaxPoolGradient(dPooled.Data, argmax, pooled.Data, pool), relu, dk, db, g);
                Assert.Equal(Cpu.Fuses(FusionPattern.ConvThenMaxPool) && VectorPaths.Best != VectorWidth.Scalar
                    && Backend.Cpu.Options.FirstLayerDirectGradient && f % VectorPaths.Lanes(VectorPaths.Best) == 0, fused);
                if (!fused) return;
                AssertClose(dkRef, dk, $"conv then max pool, relu {relu}, {path}: dKernel");
                AssertClose(dbRef, db, $"conv then max pool, relu {relu}, {path}: dBias");
            });
        }
    }

    [Theory]
    [InlineData(1, 5, 3)]
    [InlineData(7, 33, 17)]
    [InlineData(7, 64, 128)]
    public void Dense(int rows, int inF, int outF)
    {
        var (x, kernel, bias, dy) = (Random(1, rows, inF), Random(2, inF, outF), Random(3, outF), Random(4, rows, outF));
        foreach (bool relu in (bool[])[false, true])
        {
            var yRef = new Tensor(rows, outF);
            Reference.Dense(x, kernel, bias, yRef, relu);
            var (dxRef, dkRef, dbRef) = (new Tensor(rows, inF), new Tensor(inF, outF), new Tensor(outF));
            Reference.DenseBackward(x, kernel, yRef, dy, relu, dxRef, dkRef, dbRef, new BackendScratch());
            UnderEveryPath(path =>
            {
                var y = new Tensor(rows, outF);
                Cpu.Dense(x, kernel, bias, y, relu);
                AssertClose(yRef, y, $"dense {rows}×{inF} → {outF}, relu {relu}, {path}: y");
                var (dx, dk, db) = (new Tensor(rows, inF), new Tensor(inF, outF), new Tensor(outF));
                Cpu.DenseBackward(x, kernel, yRef, dy, relu, dx, dk, db, new BackendScratch());
                AssertClose(dxRef, dx, $"dense, relu {relu}, {path}: dx");
                AssertClose(dkRef, dk, $"dense, relu {relu}, {path}: dKernel");
                AssertClose(dbRef, db, $"dense, relu {relu}, {path}: dBias");
            });
        }
    }

    [Theory]
    [InlineData(7, 9, 9, 5, 2, 2, "valid")]
    [InlineData(1, 7, 8, 16, 3, 2, "same")]
    [InlineData(2, 6, 6, 32, 2, 1, "same")]
    public void Pooling(int batch, int h, int w, int c, int window, int stride, string padding)
    {
        var g = ConvGeometry.Create(batch, h, w, c, window, window, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(1, batch, h, w, c);
        int[] yShape = [batch, g.OutH, g.OutW, c];
        var dy = Random(2, yShape);
        var (maxRef, avgRef, dxMaxRef, dxAvgRef) = (new Tensor(yShape), new Tensor(yShape), new Tensor(x.ShapeArray), new Tensor(x.ShapeArray));
        var argRef = new int[maxRef.Size];
        Reference.MaxPool(x, maxRef, argRef, g);
        Reference.MaxPoolBackward(dy, argRef, dxMaxRef, g);
        Reference.AveragePool(x, avgRef, g);
        Reference.AveragePoolBackward(dy, dxAvgRef, g);
        UnderEveryPath(path =>
        {
            var (max, maxNoWinners, avg, dx) = (new Tensor(yShape), new Tensor(yShape), new Tensor(yShape), new Tensor(x.ShapeArray));
            var arg = new int[max.Size];
            Cpu.MaxPool(x, max, arg, g);
            Cpu.MaxPool(x, maxNoWinners, null, g);
            AssertClose(maxRef, max, $"max pool, {path}", 0);
            AssertClose(maxRef, maxNoWinners, $"max pool without winners, {path}", 0);
            Assert.Equal(argRef, arg);
            Cpu.MaxPoolBackward(dy, arg, dx, g);
            AssertClose(dxMaxRef, dx, $"max pool backward, {path}");
            Cpu.AveragePool(x, avg, g);
            AssertClose(avgRef, avg, $"average pool, {path}");
            Cpu.AveragePoolBackward(dy, dx, g);
            AssertClose(dxAvgRef, dx, $"average pool backward, {path}");
        });
    }

    [Fact]
    public void GlobalPoolingActivationsSoftmaxAndBatchNorm()
    {
        var x = Random(1, 7, 3, 5, 6);
        var dy = Random(2, 7, 3, 5, 6);
        var dyPooled = Random(3, 7, 6);
        UnderEveryPath(path =>
        {
            Same(path, "global average pool", b => { var y = new Tensor(7, 6); b.GlobalAveragePool(x, y); return y; });
            Same(path, "global average pool backward", b => { var dx = new Tensor(x.ShapeArray); b.GlobalAveragePoolBackward(dyPooled, dx); return dx; });
            Same(path, "global max pool backward", b =>
            {
                var (y, arg, dx) = (new Tensor(7, 6), new int[42], new Tensor(x.ShapeArray));
                b.GlobalMaxPool(x, y, arg);
                b.GlobalMaxPoolBackward(dyPooled, arg, dx);
                return dx;
            });
            foreach (var kind in Enum.GetValues<ActivationKind>())
                Same(path, $"{kind} and its backward", b =>
                {
                    var (y, dx) = (new Tensor(x.ShapeArray), new Tensor(x.ShapeArray));
                    b.Activation(kind, x, y);
                    b.ActivationBackward(kind, x, y, dy, dx);
                    return Concat(y, dx);
                });
            foreach (int axis in (int[])[1, 2, 3])
                Same(path, $"softmax over axis {axis}", b =>
                {
                    var (y, dx) = (new Tensor(x.ShapeArray), new Tensor(x.ShapeArray));
                    b.Softmax(x, y, axis);
                    b.SoftmaxBackward(y, dy, dx, axis);
                    return Concat(y, dx);
                });
            Same(path, "ReLU(max 0.5, slope 0.1, threshold -0.2)", b =>
            {
                var (y, dx) = (new Tensor(x.ShapeArray), new Tensor(x.ShapeArray));
                b.Relu(x, y, 0.5f, 0.1f, -0.2f);
                b.ReluBackward(x, dy, dx, 0.5f, 0.1f, -0.2f);
                return Concat(y, dx);
            });
            Same(path, "batch normalization (training, then inference)", b =>
            {
                var (gamma, beta) = (Random(5, 6), Random(6, 6));
                var (mm, mv) = (new Tensor(6), new Tensor(6));
                mv.Span.Fill(1f);
                var (y, dx, dg, dbeta, y2, dx2) = (new Tensor(x.ShapeArray), new Tensor(x.ShapeArray), new Tensor(6), new Tensor(6), new Tensor(x.ShapeArray), new Tensor(x.ShapeArray));
                var (mean, inv) = (new float[6], new float[6]);
                b.BatchNormTraining(x, gamma, beta, mm, mv, 0.9f, 1e-3f, y, mean, inv, null);
                b.BatchNormBackward(x, gamma, mean, inv, dy, dx, dg, dbeta, null);
                b.BatchNormInference(x, gamma, beta, mm, mv, 1e-3f, y2, mean, inv);
                b.BatchNormBackwardInference(x, gamma, mean, inv, dy, dx2, dg, null);
                return Concat(y, dx, dg, dbeta, mm, mv, y2, dx2);
            });
        });
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("sgd-nesterov")]
    [InlineData("rmsprop")]
    [InlineData("rmsprop-momentum")]
    [InlineData("adam")]
    [InlineData("amsgrad")]
    [InlineData("adagrad")]
    [InlineData("nadam")]
    [InlineData("clip-scale-average")]
    [InlineData("l1l2-regularizer")]
    public void OptimizerUpdates(string which)
    {
        const int n = 1037;   // not a multiple of any vector: the scalar tail runs too
        UnderEveryPath(path => Same(path, which, b =>
        {
            var w = Random(1, n);
            var (s1, s2, s3) = (new float[n], new float[n], new float[n]);
            for (int step = 1; step <= 3; step++)
            {
                var g = Random(10 + step, n);
                switch (which)
                {
                    case "sgd": b.SgdUpdate(w.Span, g.Span, null, 0.1f, 0, false); break;
                    case "sgd-momentum": b.SgdUpdate(w.Span, g.Span, s1, 0.1f, 0.9f, false); break;
                    case "sgd-nesterov": b.SgdUpdate(w.Span, g.Span, s1, 0.1f, 0.9f, true); break;
                    case "rmsprop": b.RmsPropUpdate(w.Span, g.Span, s1, null, 1e-3f, 0.9f, 1e-7f, 0); break;
                    case "rmsprop-momentum": b.RmsPropUpdate(w.Span, g.Span, s1, s2, 1e-3f, 0.9f, 1e-7f, 0.5f); break;
                    case "adam": b.AdamUpdate(w.Span, g.Span, s1, s2, null, 1e-3f * step, 0.1f, 0.001f, 1e-7f); break;
                    case "amsgrad": b.AdamUpdate(w.Span, g.Span, s1, s2, s3, 1e-3f * step, 0.1f, 0.001f, 1e-7f); break;
                    case "adagrad": b.AdagradUpdate(w.Span, g.Span, s1, 1e-2f, 1e-7f); break;
                    case "nadam": b.NadamUpdate(w.Span, g.Span, s1, s2, 2e-3f, 0.1f, 0.001f, 4.7f / step, 0.05f * step, 1 - MathF.Pow(0.999f, step), 1e-7f); break;
                    case "clip-scale-average":
                        float norm = (float)Math.Sqrt(b.SumOfSquares(g.Span));
                        b.Scale(g.Span, 0.5f / norm);
                        b.ClipByValue(g.Span, 0.01f);
                        b.Scale(w.Span, 1 - 1e-3f);
                        b.SgdUpdate(w.Span, g.Span, null, 0.1f, 0, false);
                        b.MovingAverageUpdate(s1, w.Span, step == 1 ? 0 : 0.9f);
                        if (step == 3) s1.AsSpan().CopyTo(w.Span);
                        break;
                    case "l1l2-regularizer":
                        float penalty = (float)b.L1L2Penalty(w.Span, 0.01f, 0.02f);
                        b.L1L2Gradient(w.Span, g.Span, 0.01f, 0.04f);
                        b.SgdUpdate(w.Span, g.Span, null, 0.1f * penalty, 0, false);
                        break;
                }
            }
            return w;
        }, tolerance: 1e-6));
    }

    [Fact]
    public void MetricErrorSums()
    {
        // Longer than the CPU backend's 1024-value blocks and not a multiple of a vector: blocks, tails and the double sum.
        var p = Random(1, 2 * 1024 + 37);
        var t = Random(2, 2 * 1024 + 37);
        UnderEveryPath(path => Same(path, "error sums", b =>
        {
            var r = new Tensor(2);
            r.Span[0] = (float)b.ErrorSum(p.Span, t.Span, squared: false);
            r.Span[1] = (float)b.ErrorSum(p.Span, t.Span, squared: true);
            return r;
        }, tolerance: 1e-6));
    }

    [Fact]
    public void ShapeAndElementwiseOps()
    {
        var x = Random(1, 7, 3, 4, 5);
        var other = Random(2, 7, 3, 4, 5);
        var c = Random(3, 3 * 4 * 5).Data;
        UnderEveryPath(path =>
        {
            Same(path, "zero padding and back", b =>
            {
                var (y, dx) = (new Tensor(7, 6, 6, 5), new Tensor(x.ShapeArray));
                b.ZeroPad(x, y, 1, 2);
                b.ZeroPadBackward(y, dx, 1, 2);
                return Concat(y, dx);
            }, 0);
            Same(path, "permute", b => { var y = new Tensor(7, 5, 3, 4); b.Permute(x, y, [0, 3, 1, 2]); return y; }, 0);
            Same(path, "concat and slice", b =>
            {
                var (y, s, ds) = (new Tensor(7, 3, 4, 10), new Tensor(7, 3, 4, 5), new Tensor(7, 3, 4, 10));
                b.Concat([x, other], y, 3);
                b.Slice(y, s, 3, 5);
                b.SliceBackward(s, ds, 3, 5);
                return Concat(y, s, ds);
            }, 0);
            Same(path, "add", b => { var y = new Tensor(x.ShapeArray); b.Add([x, other, x], y); return y; });
            foreach (var op in Enum.GetValues<ConstantOp>())
                Same(path, $"broadcast {op}", b =>
                {
                    var (y, dx) = (new Tensor(x.ShapeArray), new Tensor(x.ShapeArray));
                    b.BroadcastConstant(op, x, c, y);
                    b.BroadcastConstantBackward(op, other, c, dx);
                    return Concat(y, dx);
                });
            Same(path, "dropout (the same draws)", b =>
            {
                var (y, mask, dx) = (new Tensor(x.ShapeArray), new Tensor(x.ShapeArray), new Tensor(x.ShapeArray));
                b.Dropout(x, y, mask, 0.3f, new Random(5));
                b.DropoutBackward(other, mask, dx);
                return Concat(y, dx);
            });
        });
    }

    /// <summary>Runs op on both backends and compares.</summary>
    private static void Same(string path, string what, Func<IBackend, Tensor> op, double tolerance = 2e-4) =>
        AssertClose(op(Reference), op(Cpu), $"{what}, {path}", tolerance);

    private static Tensor Concat(params Tensor[] parts)
    {
        var all = new Tensor(parts.Sum(p => p.Size));
        int at = 0;
        foreach (var p in parts) { p.Span.CopyTo(all.Data.AsSpan(at)); at += p.Size; }
        return all;
    }
}
