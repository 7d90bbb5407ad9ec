using DeepSharp.Backends.Cpu;
using DeepSharp.Tests.Compute;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>The Winograd F(2×2, 3×3) passes against the im2col + GEMM path, at every vector width whose lanes divide the channels.</summary>
public class WinogradTests
{
    [Theory]
    [InlineData(2, 11, 11, 32, 64, "valid", true)]    // MNIST's second conv (odd output: partial tiles)
    [InlineData(3, 9, 8, 32, 16, "same", false)]      // padding on every side, no bias
    [InlineData(1, 15, 15, 128, 128, "valid", true)]
    [InlineData(1, 18, 18, 64, 48, "same", true)]
    [InlineData(2, 10, 9, 24, 40, "valid", true)]     // multiples of 8, not 16
    [InlineData(1, 7, 8, 12, 20, "same", false)]      // multiples of 4 only
    public void WinogradMatchesTheDirectPath(int batch, int h, int w, int c, int f, string padding, bool relu)
    {
        int ran = 0;
        foreach (var width in VectorWidths.Vector)
            if (c % VectorPaths.Lanes(width) == 0 && f % VectorPaths.Lanes(width) == 0)
            {
                // Each thread running whole chunks, and each chunk split over the threads.
                CheckForward(batch, h, w, c, f, padding, relu, width, perThread: true);
                CheckForward(batch, h, w, c, f, padding, relu, width, perThread: false);
                ran++;
            }
        Assert.True(ran > 0);
    }

    private static void CheckForward(int batch, int h, int w, int c, int f, string padding, bool relu, VectorWidth width, bool perThread)
    {
        var g = ConvGeometry.Create(batch, h, w, c, 3, 3, 1, 1, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(1, [batch, h, w, c]);
        var kernel = Random(2, [3, 3, c, f], -0.2f, 0.2f);
        var bias = Random(3, [f]);
        var y = Tensor.Full(9f, batch, g.OutH, g.OutW, f);
        var yRef = new Tensor(batch, g.OutH, g.OutW, f);
        float[]? ws = null, wsRef = null;
        var epilogue = relu ? Epilogue.Relu : Epilogue.None;
        WinogradConv.Forward(x, kernel, padding == "same" ? null : bias, y, g, epilogue, ref ws, width, perThread);
        Conv2DOp.ForwardDirect(x, kernel, padding == "same" ? null : bias, yRef, g, epilogue, ref wsRef);
        float scale = 0;
        foreach (var v in yRef.Data) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < y.Size; i++)
            Assert.True(Math.Abs(y.Data[i] - yRef.Data[i]) <= 1e-5f * scale + 1e-5f, $"{width}, per thread {perThread}, y[{i}]: {y.Data[i]} vs {yRef.Data[i]}");
    }

    [Fact]
    public void ManyTileChunksGiveTheSameResultAsTheDirectPath()
    {
        // 2 × 75 × 75 tiles of 64 + 64 channels need several chunks of the transformed buffers.
        var g = ConvGeometry.Create(2, 150, 150, 64, 3, 3, 1, 1, Padding.Same);
        var x = Random(4, [2, 150, 150, 64], 0f, 1f);
        var kernel = Random(5, [3, 3, 64, 64], -0.1f, 0.1f);
        var y = new Tensor(2, 150, 150, 64);
        var yRef = new Tensor(2, 150, 150, 64);
        float[]? ws = null, wsRef = null;
        // At the CPU's own width (emulating a wider one would only make this large case slow).
        WinogradConv.Forward(x, kernel, null, y, g, Epilogue.Relu, ref ws, VectorPaths.Best == VectorWidth.Scalar ? VectorWidth.W128 : VectorPaths.Best);
        Conv2DOp.ForwardDirect(x, kernel, null, yRef, g, Epilogue.Relu, ref wsRef);
        for (int i = 0; i < y.Size; i++)
            Assert.True(Math.Abs(y.Data[i] - yRef.Data[i]) <= 2e-5f, $"y[{i}]: {y.Data[i]} vs {yRef.Data[i]}");
    }

    [Theory]
    [InlineData(2, 13, 13, 32, 64, "valid")]   // MNIST's second conv: dx from an 11×11 dy
    [InlineData(2, 9, 10, 16, 64, "same")]
    [InlineData(1, 17, 17, 128, 128, "valid")]
    [InlineData(1, 9, 9, 8, 24, "same")]       // multiples of 8, not 16
    public void WinogradInputGradientMatchesCol2Im(int batch, int h, int w, int c, int f, string padding)
    {
        foreach (var width in VectorWidths.Vector)
            if (c % VectorPaths.Lanes(width) == 0 && f % VectorPaths.Lanes(width) == 0)
                CheckInputGradient(batch, h, w, c, f, padding, width);
    }

    private static void CheckInputGradient(int batch, int h, int w, int c, int f, string padding, VectorWidth width)
    {
        var g = ConvGeometry.Create(batch, h, w, c, 3, 3, 1, 1, padding == "same" ? Padding.Same : Padding.Valid);
        var kernel = Random(2, [3, 3, c, f], -0.2f, 0.2f);
        var dy = Random(3, [batch, g.OutH, g.OutW, f]);
        var dx = Tensor.Full(9f, batch, h, w, c);
        float[]? ws = null;
        WinogradConv.InputGradient(dy, kernel, dx, g, ref ws, width);
        var (dxRef, scale) = ReferenceInputGradient(dy, kernel, g);
        for (int i = 0; i < dx.Size; i++)
            Assert.True(Math.Abs(dx.Data[i] - dxRef.Data[i]) <= 1e-5f * scale + 1e-5f, $"{width}, dx[{i}]: {dx.Data[i]} vs {dxRef.Data[i]}");
    }

    [Theory]
    [InlineData(2, 13, 13, 32, 64, "valid")]   // MNIST's second conv (11×11 output: half-empty edge tiles)
    [InlineData(3, 9, 10, 16, 64, "same")]     // padding on every side
    [InlineData(1, 17, 17, 128, 128, "valid")]
    [InlineData(2, 9, 9, 8, 24, "same")]       // multiples of 8, not 16
    [InlineData(1, 7, 8, 12, 20, "valid")]     // multiples of 4 only
    public void WinogradKernelGradientMatchesTheIm2ColGemm(int batch, int h, int w, int c, int f, string padding)
    {
        int ran = 0;
        foreach (var width in VectorWidths.Vector)
            if (c % VectorPaths.Lanes(width) == 0 && f % VectorPaths.Lanes(width) == 0)
            {
                var g = ConvGeometry.Create(batch, h, w, c, 3, 3, 1, 1, padding == "same" ? Padding.Same : Padding.Valid);
                var x = Random(1, [batch, h, w, c]);
                var dz = Random(3, [batch, g.OutH, g.OutW, f]);
                var dw = Tensor.Full(9f, 3, 3, c, f);
                float[]? ws = null;
                WinogradConv.KernelGradient(x, dz, dw, g, ref ws, width);
                var (dwRef, scale) = ReferenceKernelGradient(x, dz, g);
                for (int i = 0; i < dw.Size; i++)
                    Assert.True(Math.Abs(dw.Data[i] - dwRef.Data[i]) <= 1e-5f * scale + 1e-5f, $"{width}, dW[{i}]: {dw.Data[i]} vs {dwRef.Data[i]}");
                ran++;
            }
        Assert.True(ran > 0);
    }
}
