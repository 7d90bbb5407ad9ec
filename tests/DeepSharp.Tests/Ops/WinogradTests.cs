using DeepSharp.Compute;
using DeepSharp.Ops;
using static DeepSharp.Tests.Ops.GradientCheck;

namespace DeepSharp.Tests.Ops;

/// <summary>The Winograd F(2×2, 3×3) forward pass against the im2col + GEMM path.</summary>
public class WinogradTests
{
    [Theory]
    [InlineData(2, 11, 11, 32, 64, "valid", true)]    // MNIST's second conv (odd output: partial tiles)
    [InlineData(3, 9, 8, 32, 16, "same", false)]      // padding on every side, no bias
    [InlineData(1, 15, 15, 128, 128, "valid", true)]
    [InlineData(1, 18, 18, 64, 48, "same", true)]
    public void WinogradMatchesTheDirectPath(int batch, int h, int w, int c, int f, string padding, bool relu)
    {
        var g = ConvGeometry.Create(batch, h, w, c, 3, 3, 1, 1, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(1, [batch, h, w, c]);
        var kernel = Random(2, [3, 3, c, f], -0.2f, 0.2f);
        var bias = Random(3, [f]);
        var y = Tensor.Full(9f, batch, g.OutH, g.OutW, f);
        var yRef = new Tensor(batch, g.OutH, g.OutW, f);
        float[]? ws = null, wsRef = null;
        var epilogue = relu ? Epilogue.Relu : Epilogue.None;
        WinogradConv.Forward(x, kernel, padding == "same" ? null : bias, y, g, epilogue, ref ws);
        Conv2DOp.ForwardDirect(x, kernel, padding == "same" ? null : bias, yRef, g, epilogue, ref wsRef);
        float scale = 0;
        foreach (var v in yRef.Data) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < y.Size; i++)
            Assert.True(Math.Abs(y.Data[i] - yRef.Data[i]) <= 1e-5f * scale + 1e-5f, $"y[{i}]: {y.Data[i]} vs {yRef.Data[i]}");
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
        WinogradConv.Forward(x, kernel, null, y, g, Epilogue.Relu, ref ws);
        Conv2DOp.ForwardDirect(x, kernel, null, yRef, g, Epilogue.Relu, ref wsRef);
        for (int i = 0; i < y.Size; i++)
            Assert.True(Math.Abs(y.Data[i] - yRef.Data[i]) <= 2e-5f, $"y[{i}]: {y.Data[i]} vs {yRef.Data[i]}");
    }

    [Theory]
    [InlineData(2, 13, 13, 32, 64, "valid")]   // MNIST's second conv: dx from an 11×11 dy
    [InlineData(2, 9, 10, 16, 64, "same")]
    [InlineData(1, 17, 17, 128, 128, "valid")]
    public void WinogradInputGradientMatchesCol2Im(int batch, int h, int w, int c, int f, string padding)
    {
        var g = ConvGeometry.Create(batch, h, w, c, 3, 3, 1, 1, padding == "same" ? Padding.Same : Padding.Valid);
        var kernel = Random(2, [3, 3, c, f], -0.2f, 0.2f);
        var dy = Random(3, [batch, g.OutH, g.OutW, f]);
        var dx = Tensor.Full(9f, batch, h, w, c);
        float[]? ws = null;
        WinogradConv.InputGradient(dy, kernel, dx, g, ref ws);
        // Reference: dx = col2im(dy · Wᵀ) through the plain GEMM.
        int m = g.OutPixels, k = g.PatchSize;
        var col = new float[m * k];
        Gemm.Reference(false, true, m, k, f, dy.Span, f, kernel.Span, f, col, k);
        var dxRef = new Tensor(batch, h, w, c);
        Conv2DOp.Col2Im(col, g, 0, batch, dxRef.Data);
        float scale = 0;
        foreach (var v in dxRef.Data) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < dx.Size; i++)
            Assert.True(Math.Abs(dx.Data[i] - dxRef.Data[i]) <= 1e-5f * scale + 1e-5f, $"dx[{i}]: {dx.Data[i]} vs {dxRef.Data[i]}");
    }
}
