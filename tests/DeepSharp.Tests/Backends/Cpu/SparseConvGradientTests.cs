using DeepSharp.Backends.Cpu;
using DeepSharp.Layers;
using DeepSharp.Tests.Compute;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>
/// The sparse backward pass of a convolution (only dz's nonzeros visited) against the plain im2col + triple-loop GEMM
/// gradients, at every vector width, on sparse dz (a max pooling's pattern) and on dense dz.
/// </summary>
[Collection("GemmPath")]   // it switches SparseBackwardMaxDensity, which every convolution reads
public class SparseConvGradientTests
{
    [Theory]
    [InlineData(2, 13, 13, 32, 64, 3, 1, "valid", 0.2)]   // MNIST's conv2d_1 behind its max pooling
    [InlineData(3, 9, 10, 16, 24, 3, 1, "same", 0.25)]   // padding on every side
    [InlineData(2, 11, 12, 8, 16, 3, 2, "same", 0.3)]    // stride 2, padding only at the bottom/right
    [InlineData(2, 10, 9, 5, 7, 2, 2, "valid", 0.5)]     // runs that are no multiple of any vector (scalar tails)
    [InlineData(1, 7, 8, 12, 20, 3, 1, "valid", 1.0)]    // dense dz
    [InlineData(2, 6, 6, 4, 4, 3, 1, "valid", 0.0)]      // all zeros
    public void SparseBackwardMatchesTheIm2ColGemm(int batch, int h, int w, int c, int f, int k, int stride, string padding, double density)
    {
        var g = ConvGeometry.Create(batch, h, w, c, k, k, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(1, [batch, h, w, c]);
        var kernel = Random(2, [k, k, c, f], -0.3f, 0.3f);
        var dz = Random(3, [batch, g.OutH, g.OutW, f]);
        var keep = new System.Random(4);
        for (int i = 0; i < dz.Size; i++) if (keep.NextDouble() >= density) dz.Data[i] = 0f;
        var (dwRef, dwScale) = ReferenceKernelGradient(x, dz, g);
        var (dxRef, dxScale) = ReferenceInputGradient(dz, kernel, g);
        foreach (var width in VectorWidths.All)
            foreach (var (wantDx, wantDw) in new[] { (true, true), (true, false), (false, true) })
            {
                var dx = wantDx ? Tensor.Full(9f, batch, h, w, c) : null;
                var dw = wantDw ? Tensor.Full(9f, k, k, c, f) : null;
                float[]? ws = null;
                SparseConvGradient.Backward(x, kernel, dz, dx, dw, g, ref ws, width);
                if (dw is not null)
                    for (int i = 0; i < dw.Size; i++)
                        Assert.True(Math.Abs(dw.Data[i] - dwRef.Data[i]) <= 1e-5f * dwScale + 1e-6f, $"{width}, dW[{i}]: {dw.Data[i]} vs {dwRef.Data[i]}");
                if (dx is not null)
                    for (int i = 0; i < dx.Size; i++)
                        Assert.True(Math.Abs(dx.Data[i] - dxRef.Data[i]) <= 1e-5f * dxScale + 1e-6f, $"{width}, dx[{i}]: {dx.Data[i]} vs {dxRef.Data[i]}");
            }
    }

    [Fact]
    public void ABackwardBehindAMaxPoolingTakesTheSparsePathAndMatchesTheDensePath()
    {
        // Conv2D(relu) → MaxPooling2D(2): the conv's dz has at most one nonzero per window and channel.
        double saved = DeepSharp.Backends.Backend.Cpu.Options.SparseBackwardMaxDensity;
        try
        {
            var conv = new Conv2D(32, (3, 3), activation: "relu", name: "conv");
            var pool = new MaxPooling2D((2, 2));
            pool.Call(conv.Call(new Input(12, 12, 16)));
            var x = Random(5, [4, 12, 12, 16]);
            var dxs = new Tensor[2];
            var dws = new Tensor[2];
            for (int run = 0; run < 2; run++)
            {
                DeepSharp.Backends.Backend.Cpu.Options.SparseBackwardMaxDensity = run == 0 ? 0 : 0.3;
                var p = pool.Forward([conv.Forward([x], training: true)], training: true);
                pool.Backward(Random(6, p.ShapeArray), needInputGradients: true);
                long passes = SparseConvGradient.Passes;
                conv.Backward(pool.InputGradients[0]!, needInputGradients: true);
                Assert.Equal(passes + run, SparseConvGradient.Passes);   // the dense path first, then the sparse one
                dxs[run] = conv.InputGradients[0]!.Clone();
                dws[run] = conv.Kernel.Grad.Clone();
            }
            AssertClose(dxs[0], dxs[1]);
            AssertClose(dws[0], dws[1]);
        }
        finally { DeepSharp.Backends.Backend.Cpu.Options.SparseBackwardMaxDensity = saved; }
    }

    [Fact]
    public void ALayerWhoseWorkspaceWouldPassTheBoundGoesDense()
    {
        // 300×300×32 with "same" padding: two padded copies of an image per thread (2 × 302·302·32 floats) pass the
        // 4M-float bound, so TryBackward declines even on an all-zero dz, and the small layer beside it does not.
        double saved = DeepSharp.Backends.Backend.Cpu.Options.SparseBackwardMaxDensity;
        try
        {
            DeepSharp.Backends.Backend.Cpu.Options.SparseBackwardMaxDensity = DeepSharp.Backends.Cpu.CpuBackendOptions.DefaultSparseBackwardMaxDensity;
            foreach (var (size, expected) in new[] { (300, false), (20, true) })
            {
                var g = ConvGeometry.Create(2, size, size, 32, 3, 3, 1, 1, Padding.Same);
                var x = new Tensor(2, size, size, 32);
                var kernel = new Tensor(3, 3, 32, 32);
                var dz = new Tensor(2, size, size, 32);
                var dx = new Tensor(2, size, size, 32);
                float[]? ws = null;
                Assert.Equal(expected, SparseConvGradient.TryBackward(x, kernel, dz, dx, null, g, ref ws));
            }
        }
        finally { DeepSharp.Backends.Backend.Cpu.Options.SparseBackwardMaxDensity = saved; }
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        float scale = 0;
        foreach (var v in expected.Data) scale = Math.Max(scale, Math.Abs(v));
        Assert.True(scale > 0);
        for (int i = 0; i < expected.Size; i++)
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= 1e-5f * scale, $"[{i}]: {actual.Data[i]} vs {expected.Data[i]}");
    }
}
