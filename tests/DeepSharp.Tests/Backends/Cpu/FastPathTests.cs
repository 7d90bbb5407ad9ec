using DeepSharp.Backends.Cpu;
using DeepSharp.Tests.Compute;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>
/// The vectorized and fused kernels against the plain reference loops they replace: same inputs, results
/// equal (bit for bit where the arithmetic is the same, within float32 tolerance where the order of sums changes).
/// </summary>
public class FastPathTests
{
    [Theory]
    [InlineData(2, 2, "valid", 32)]   // the chapter's pools: 16-channel vectors only
    [InlineData(2, 2, "valid", 37)]   // vectors plus a scalar tail
    [InlineData(2, 2, "same", 19)]    // odd input: clipped windows at the bottom and right
    [InlineData(3, 2, "valid", 18)]   // overlapping windows (backward takes the reference scatter)
    [InlineData(3, 3, "same", 16)]
    [InlineData(2, 3, "valid", 17)]   // stride larger than the window: inputs outside every window
    public void MaxPoolingMatchesTheReferenceLoops(int pool, int stride, string padding, int channels)
    {
        var x = Random(3, [3, 7, 9, channels]);
        // Ties: the first of equal values must win in both paths.
        for (int i = 0; i < x.Size; i += 5) x.Data[i] = 0.25f;
        var g = ConvGeometry.Create(3, 7, 9, channels, pool, pool, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var y = new Tensor(3, g.OutH, g.OutW, channels);
        var yRef = new Tensor(y.ShapeArray);
        var argmax = new int[y.Size];
        var argmaxRef = new int[y.Size];
        PoolingOps.MaxForward(x, y, argmax, g);
        PoolingOps.MaxForwardReference(x, yRef, argmaxRef, g);
        Assert.Equal(yRef.Data, y.Data);
        Assert.Equal(argmaxRef, argmax);
        // Inference: the values without the winners, on both paths.
        var yValues = Tensor.Full(5f, y.ShapeArray);
        PoolingOps.MaxForwardReference(x, yValues, null, g);
        Assert.Equal(yRef.Data, yValues.Data);

        var dy = Random(4, y.ShapeArray);
        var dx = Tensor.Full(7f, x.ShapeArray);   // stale values must be overwritten
        var dxRef = new Tensor(x.ShapeArray);
        PoolingOps.MaxBackward(dy, argmax, dx, g);
        PoolingOps.MaxBackwardReference(dy, argmaxRef, dxRef, g);
        Assert.Equal(dxRef.Data, dx.Data);

        // The vector kernels at every width, whether or not this CPU picks them.
        foreach (var width in VectorWidths.Vector)
        {
            var yw = Tensor.Full(5f, y.ShapeArray);
            var argmaxW = new int[y.Size];
            MaxPoolKernels.Forward(x, yw, argmaxW, g, width);
            Assert.Equal(yRef.Data, yw.Data);
            Assert.Equal(argmaxRef, argmaxW);
            var ywValues = Tensor.Full(5f, y.ShapeArray);
            MaxPoolKernels.Forward(x, ywValues, null, g, width);
            Assert.Equal(yRef.Data, ywValues.Data);
            if (!MaxPoolKernels.NonOverlapping(g)) continue;
            var dxW = Tensor.Full(7f, x.ShapeArray);
            MaxPoolKernels.BackwardNonOverlapping(dy, argmaxRef, dxW, g, width);
            Assert.Equal(dxRef.Data, dxW.Data);
        }
    }

    [Theory]
    [InlineData(43264, 32)]   // conv1's bias gradient: split across threads
    [InlineData(7744, 64)]
    [InlineData(100, 48)]
    [InlineData(3000, 176)]   // several 64-column blocks and a narrower last one
    [InlineData(50, 10)]      // not a multiple of 16: the plain loop
    public void ColumnSumsMatchADoubleSum(int rows, int cols)
    {
        var m = Random(5, [rows, cols]);
        foreach (var width in VectorWidths.All)
        {
            var sums = Tensor.Full(9f, cols);
            VectorOps.ColumnSums(m.Span, rows, cols, sums.Span, width);
            for (int j = 0; j < cols; j++)
            {
                double s = 0, abs = 0;
                for (int i = 0; i < rows; i++) { s += m.Data[i * cols + j]; abs += Math.Abs(m.Data[i * cols + j]); }
                Assert.True(Math.Abs(sums.Data[j] - s) <= 1e-6 * abs + 1e-6, $"{width}, column {j}: {sums.Data[j]} vs {s}");
            }
        }
    }

    [Theory]
    [InlineData(70000)]   // parallel
    [InlineData(1000)]
    [InlineData(37)]
    public void ReluBackwardMasksByTheOutput(int length)
    {
        var y = Random(6, [length]);
        for (int i = 0; i < length; i += 3) y.Data[i] = 0f;   // y = 0 passes no gradient
        var dy = Random(7, [length]);
        var dx = Tensor.Full(5f, length);
        VectorOps.ReluBackward(y.Data, dy.Data, dx.Data, length);
        for (int i = 0; i < length; i++) Assert.Equal(y.Data[i] > 0 ? dy.Data[i] : 0f, dx.Data[i]);
        foreach (var width in VectorWidths.All)
        {
            dx = Tensor.Full(5f, length);
            VectorOps.ReluBackward(y.Span, dy.Span, dx.Span, width);
            for (int i = 0; i < length; i++) Assert.Equal(y.Data[i] > 0 ? dy.Data[i] : 0f, dx.Data[i]);
        }
    }

    [Theory]
    [InlineData(3, 3, 1, "valid", 1)]    // MNIST's first layer
    [InlineData(3, 3, 1, "same", 32)]
    [InlineData(3, 3, 2, "same", 19)]    // strided, odd channels (vector tails)
    [InlineData(5, 3, 2, "valid", 80)]   // channels beyond one 64-wide block
    [InlineData(1, 1, 2, "valid", 3)]
    public void Im2ColAndCol2ImMatchTheirDefinitions(int kh, int kw, int stride, string padding, int channels)
    {
        var g = ConvGeometry.Create(2, 9, 8, channels, kh, kw, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(8, [2, 9, 8, channels]);
        int k = g.PatchSize, rows = g.OutPixels;
        var col = new float[rows * k];
        Array.Fill(col, 3f);
        Conv2DOp.Im2Col(x.Data, g, 0, 2, col);
        var colRef = new float[rows * k];
        var dxRef = new double[x.Size];
        var dcol = Random(9, [rows, k]);
        for (int n = 0; n < 2; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                    for (int ky = 0; ky < kh; ky++)
                        for (int kx = 0; kx < kw; kx++)
                            for (int c = 0; c < channels; c++)
                            {
                                int iy = oy * stride - g.PadTop + ky, ix = ox * stride - g.PadLeft + kx;
                                int r = ((n * g.OutH + oy) * g.OutW + ox) * k + (ky * kw + kx) * channels + c;
                                if (iy < 0 || iy >= 9 || ix < 0 || ix >= 8) continue;
                                int xi = ((n * 9 + iy) * 8 + ix) * channels + c;
                                colRef[r] = x.Data[xi];
                                dxRef[xi] += dcol.Data[r];
                            }
        Assert.Equal(colRef, col);
        var dx = Tensor.Full(4f, x.ShapeArray);   // stale values must be overwritten
        Conv2DOp.Col2Im(dcol.Data, g, 0, 2, dx.Data);
        for (int i = 0; i < x.Size; i++) Assert.True(Math.Abs(dx.Data[i] - dxRef[i]) < 1e-5, $"dx[{i}]: {dx.Data[i]} vs {dxRef[i]}");
        foreach (var width in VectorWidths.Vector)
        {
            dx = Tensor.Full(4f, x.ShapeArray);
            PatchKernels.Col2ImRows(dcol.Data, g, 0, dx.Data, 0, 2 * 9, width);
            for (int i = 0; i < x.Size; i++) Assert.True(Math.Abs(dx.Data[i] - dxRef[i]) < 1e-5, $"{width}, dx[{i}]: {dx.Data[i]} vs {dxRef[i]}");
        }
    }

    [Theory]
    [InlineData(43264, 32)]   // split across threads
    [InlineData(300, 64)]
    [InlineData(20, 512)]
    [InlineData(30, 24)]      // 8 lanes divide it, 16 do not
    [InlineData(30, 12)]      // only 4 lanes divide it
    public void FusedReluBackwardAndBiasGradientMatchTheSeparatePasses(int rows, int cols)
    {
        var y = Random(10, [rows, cols]);
        for (int i = 0; i < y.Size; i += 2) y.Data[i] = Math.Max(y.Data[i], 0f);
        var dy = Random(11, [rows, cols]);
        var dxRef = new Tensor(rows, cols);
        var sumsRef = new double[cols];
        for (int i = 0; i < rows * cols; i++)
        {
            dxRef.Data[i] = y.Data[i] > 0f ? dy.Data[i] : 0f;
            sumsRef[i % cols] += dxRef.Data[i];
        }
        foreach (var width in VectorWidths.All)
        {
            var dx = Tensor.Full(3f, rows, cols);
            var sums = Tensor.Full(3f, cols);
            bool done = VectorOps.ReluBackwardColumnSums(y.Data, dy.Data, dx.Data, rows, cols, sums.Span, width);
            // The fused pass takes every vector width whose lanes divide the columns, and only those.
            Assert.Equal(width != VectorWidth.Scalar && cols % VectorPaths.Lanes(width) == 0, done);
            if (!done) continue;
            Assert.Equal(dxRef.Data, dx.Data);
            for (int j = 0; j < cols; j++)
                Assert.True(Math.Abs(sums.Data[j] - sumsRef[j]) <= 1e-5 * (1 + Math.Abs(sumsRef[j])) * Math.Sqrt(rows), $"{width}, column {j}: {sums.Data[j]} vs {sumsRef[j]}");
        }
    }

    [Theory]
    [InlineData(3, 3, 1, "valid", 32, 64)]   // MNIST's second conv
    [InlineData(3, 3, 2, "same", 20, 24)]    // strided, padded, channels not a multiple of 16
    [InlineData(5, 3, 1, "same", 17, 40)]
    [InlineData(2, 2, 2, "valid", 33, 8)]
    public void ImplicitGemmForwardMatchesIm2ColAndGemm(int kh, int kw, int stride, string padding, int c, int f)
    {
        var g = ConvGeometry.Create(3, 12, 11, c, kh, kw, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(12, [3, 12, 11, c]);
        var kernel = Random(13, [kh, kw, c, f], -0.3f, 0.3f);
        var bias = Random(14, [f]);
        var y = Tensor.Full(9f, 3, g.OutH, g.OutW, f);
        var yRef = new Tensor(3, g.OutH, g.OutW, f);
        float[]? wsRef = null;
        Conv2DOp.ForwardImplicit(x, kernel, bias, y, g, DeepSharp.Backends.Cpu.Epilogue.Relu);
        Conv2DOp.ForwardDirect(x, kernel, bias, yRef, g, DeepSharp.Backends.Cpu.Epilogue.Relu, ref wsRef);
        Assert.Equal(yRef.Data, y.Data);   // same packed GEMM, same order of sums: same bits
    }

    [Theory]
    [InlineData(3, 3, 1, "valid", 32, 64, 8)]    // deep enough to split the depth across threads
    [InlineData(3, 3, 2, "same", 20, 24, 3)]
    [InlineData(5, 3, 1, "same", 17, 40, 2)]
    public void ImplicitGemmKernelGradientMatchesIm2ColAndGemm(int kh, int kw, int stride, string padding, int c, int f, int batch)
    {
        var g = ConvGeometry.Create(batch, 14, 13, c, kh, kw, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(15, [batch, 14, 13, c]);
        var kernel = Random(16, [kh, kw, c, f]);
        var dy = Random(17, [batch, g.OutH, g.OutW, f]);
        var dKernel = Tensor.Full(9f, kh, kw, c, f);
        float[]? ws = null;
        Conv2DOp.Backward(x, kernel, dy, null, dKernel, null, g, ref ws);
        int k = g.PatchSize, m = g.OutPixels;
        var col = new float[m * k];
        Conv2DOp.Im2Col(x.Data, g, 0, batch, col);
        var expected = new float[k * f];
        DeepSharp.Backends.Cpu.Gemm.Reference(true, false, k, f, m, col, k, dy.Span, f, expected, f);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(dKernel.Data[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"dKernel[{i}]: {dKernel.Data[i]} vs {expected[i]}");
    }

    [Theory]
    [InlineData(3, 3, 1, "valid", 1, 32, 4, true)]    // MNIST's first conv
    [InlineData(3, 3, 1, "valid", 3, 32, 3, true)]    // cats-vs-dogs' first conv
    [InlineData(3, 3, 2, "same", 3, 48, 2, false)]    // strided, padded, three filter vectors, no ReLU
    [InlineData(5, 3, 1, "same", 2, 16, 2, true)]
    [InlineData(3, 3, 1, "valid", 1, 64, 40, true)]   // enough work for the threads
    [InlineData(3, 3, 1, "same", 3, 24, 2, true)]     // 8 lanes divide the filters, 16 do not
    [InlineData(3, 3, 1, "valid", 1, 12, 2, false)]   // only 4 lanes divide them
    public void DirectKernelGradientMatchesIm2ColAndGemm(int kh, int kw, int stride, string padding, int c, int f, int batch, bool relu)
    {
        var g = ConvGeometry.Create(batch, 14, 13, c, kh, kw, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        int ran = 0;
        foreach (var width in VectorWidths.Vector)
        {
            if (f % VectorPaths.Lanes(width) != 0)
            {
                Assert.False(DirectKernelGradient.Applies(g, f, width));
                continue;
            }
            CheckDirectKernelGradient(g, kh, kw, c, f, batch, relu, width);
            ran++;
        }
        Assert.True(ran > 0);
    }

    private static void CheckDirectKernelGradient(ConvGeometry g, int kh, int kw, int c, int f, int batch, bool relu, VectorWidth width)
    {
        var x = Random(20, [batch, 14, 13, c]);
        var y = Random(21, [batch, g.OutH, g.OutW, f]);   // half of it negative: the mask matters
        for (int i = 0; i < y.Size; i += 7) y.Data[i] = 0f;  // ReLU's derivative at 0 is 0
        var dy = Random(22, [batch, g.OutH, g.OutW, f]);
        var dKernel = Tensor.Full(9f, kh, kw, c, f);
        var dBias = Tensor.Full(9f, f);
        Assert.True(DirectKernelGradient.Applies(g, f, width));
        DirectKernelGradient.Run(x.Data, y.Data, dy.Data, relu, dKernel.Span, dBias.Span, g, f, width);
        int k = g.PatchSize, m = g.OutPixels;
        var dz = new float[m * f];
        for (int i = 0; i < dz.Length; i++) dz[i] = !relu || y.Data[i] > 0f ? dy.Data[i] : 0f;
        var col = new float[m * k];
        Conv2DOp.Im2Col(x.Data, g, 0, batch, col);
        var expected = new float[k * f];
        DeepSharp.Backends.Cpu.Gemm.Reference(true, false, k, f, m, col, k, dz, f, expected, f);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(dKernel.Data[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"{width}, dKernel[{i}]: {dKernel.Data[i]} vs {expected[i]}");
        for (int j = 0; j < f; j++)
        {
            double s = 0;
            for (int i = 0; i < m; i++) s += dz[i * f + j];
            Assert.True(Math.Abs(dBias.Data[j] - s) <= 1e-4 * (1 + Math.Abs(s)), $"{width}, dBias[{j}]: {dBias.Data[j]} vs {s}");
        }
    }
}
