using DeepSharp.Backends.Cpu;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Compute;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>
/// A first layer's kernel and bias gradients taken straight from the max pooling after it (its pooled gradient and
/// winners, <see cref="MaxPoolGradient"/>) against the plain way: the pooling's dense input gradient, ReLU's mask, then
/// col(x)ᵀ·dz through the triple-loop GEMM; and the model's fusion of the two backward passes against running both.
/// </summary>
[Collection("GemmPath")]   // it switches DeepSharp.Backends.Backend.Cpu.Options.PooledKernelGradient, which every model's backward reads
public class MaxPoolGradientTests
{
    [Theory]
    [InlineData(11, 11, 2, 2, "valid", 1, 32, true)]   // MNIST-like: the last row and column belong to no window
    [InlineData(12, 10, 3, 3, "valid", 3, 16, true)]   // 3×3 windows, three input channels
    [InlineData(9, 9, 2, 2, "same", 1, 24, true)]      // windows padded at the bottom and right
    [InlineData(10, 11, 2, 3, "valid", 2, 12, false)]  // stride 3 over 2×2 windows: gaps between them; no ReLU
    public void KernelGradientFromThePoolingMatchesTheDensePath(int outH, int outW, int pool, int stride, string padding, int c, int f, bool relu)
    {
        int batch = 3;
        var conv = ConvGeometry.Create(batch, outH + 2, outW + 2, c, 3, 3, 1, 1, Padding.Valid);
        var x = Random(1, [batch, outH + 2, outW + 2, c]);
        var y = Random(2, [batch, outH, outW, f]);
        if (relu) for (int i = 0; i < y.Size; i++) y.Data[i] = Math.Max(0f, y.Data[i]);   // ReLU's zeros tie in some windows
        var pg = ConvGeometry.Create(batch, outH, outW, f, pool, pool, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var pooled = new Tensor(batch, pg.OutH, pg.OutW, f);
        var argmax = new int[pooled.Size];
        PoolingOps.MaxForward(y, pooled, argmax, pg);
        var dy = Random(3, pooled.ShapeArray);

        // The plain way: scatter, mask, then col(x)ᵀ·dz through the triple-loop GEMM.
        var dz = new Tensor(y.ShapeArray);
        PoolingOps.MaxBackwardReference(dy, argmax, dz, pg);
        if (relu) for (int i = 0; i < dz.Size; i++) if (!(y.Data[i] > 0f)) dz.Data[i] = 0f;
        var expected = ReferenceKernelGradient(x, dz, conv).DKernel.Data;
        int m = conv.OutPixels;
        var expectedBias = new double[f];
        for (int i = 0; i < m; i++) for (int j = 0; j < f; j++) expectedBias[j] += dz.Data[i * f + j];

        int ran = 0;
        foreach (var width in VectorWidths.Vector)
        {
            if (!DirectKernelGradient.Applies(conv, f, width)) continue;
            var dKernel = Tensor.Full(9f, 3, 3, c, f);
            var dBias = Tensor.Full(9f, f);
            DirectKernelGradient.RunThroughMaxPool(x.Data, new MaxPoolGradient(dy.Data, argmax, pooled.Data, pg), relu, dKernel.Span, dBias.Span, conv, f, width);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(dKernel.Data[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"{width}, dKernel[{i}]: {dKernel.Data[i]} vs {expected[i]}");
            for (int j = 0; j < f; j++)
                Assert.True(Math.Abs(dBias.Data[j] - expectedBias[j]) <= 1e-4 * (1 + Math.Abs(expectedBias[j])), $"{width}, dBias[{j}]: {dBias.Data[j]} vs {expectedBias[j]}");
            ran++;
        }
        Assert.True(ran > 0);
    }

    [Fact]
    public void TheModelFusesAFirstConvWithItsPoolingAndGetsTheSameGradients()
    {
        var model = new Sequential(
            new Conv2D(16, (3, 3), activation: "relu", inputShape: (13, 13, 1)),
            new MaxPooling2D((2, 2)),
            new Conv2D(8, (3, 3), activation: "relu"),
            new MaxPooling2D((2, 2)),
            new Flatten(),
            new Dense(3, activation: "softmax"));
        model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy");
        var x = Random(4, [5, 13, 13, 1], 0f, 1f);
        var y = new Tensor(5, 3);
        for (int i = 0; i < 5; i++) y[i, i % 3] = 1f;
        var firstPool = model.Layers[1];
        // Without SIMD (DOTNET_EnableHWIntrinsic=0) the first layer has no one-pass kernel gradient, and so no fusion.
        bool fusable = DirectKernelGradient.Applies(ConvGeometry.Create(5, 13, 13, 1, 3, 3, 1, 1, Padding.Valid), 16);
        bool saved = DeepSharp.Backends.Backend.Cpu.Options.PooledKernelGradient;
        try
        {
            var runs = new List<float[]>[2];
            foreach (bool fuse in new[] { true, false })
            {
                DeepSharp.Backends.Backend.Cpu.Options.PooledKernelGradient = fuse;
                var (_, gradients) = model.ComputeGradients(x, y);
                runs[fuse ? 0 : 1] = gradients.Select(g => g.Gradient.Span.ToArray()).ToList();
                // Fused, the first pooling never wrote its input gradient (a fresh model: none from before); unfused, it did.
                Assert.Equal(fuse && fusable, firstPool.InputGradients[0] is null);
            }
            Assert.Equal(runs[1].Count, runs[0].Count);
            for (int p = 0; p < runs[0].Count; p++)
            {
                float scale = runs[1][p].Max(Math.Abs);
                Assert.True(scale > 0, $"gradient {p} is all zeros");
                for (int i = 0; i < runs[0][p].Length; i++)
                    Assert.True(Math.Abs(runs[0][p][i] - runs[1][p][i]) <= 1e-5f * scale, $"gradient {p}[{i}]: fused {runs[0][p][i]} vs {runs[1][p][i]}");
            }
        }
        finally { DeepSharp.Backends.Backend.Cpu.Options.PooledKernelGradient = saved; }
    }
}
