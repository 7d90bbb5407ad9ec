using DeepSharp.Backends.Cpu;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>
/// The input gradient computed as a stride-1 convolution of dy with the flipped kernel (an implicit GEMM, no col2im)
/// against dx = col2im(dy · Wᵀ) through the plain triple-loop GEMM.
/// </summary>
[Collection("GemmPath")]   // it reads the CPU backend's options, which other tests change
public class ImplicitInputGradientTests
{
    [Theory]
    [InlineData(2, 13, 13, 32, 64, 3, 3, "valid")]   // MNIST's second conv
    [InlineData(3, 9, 8, 5, 16, 3, 3, "same")]       // odd channel count, padding on every side
    [InlineData(1, 10, 11, 7, 24, 5, 5, "same")]
    [InlineData(2, 8, 9, 3, 17, 1, 3, "valid")]      // a 1×3 window, odd filter count
    [InlineData(1, 7, 6, 6, 20, 2, 2, "same")]       // even window: Keras pads only the bottom/right
    [InlineData(1, 12, 12, 130, 16, 3, 3, "valid")]  // wider than the GEMM's row-reading limit: packed A
    public void MatchesCol2ImOfTheGemm(int batch, int h, int w, int c, int f, int kh, int kw, string padding)
    {
        var g = ConvGeometry.Create(batch, h, w, c, kh, kw, 1, 1, padding == "same" ? Padding.Same : Padding.Valid);
        var kernel = Random(2, [kh, kw, c, f], -0.2f, 0.2f);
        var dy = Random(3, [batch, g.OutH, g.OutW, f]);
        var dx = Tensor.Full(9f, batch, h, w, c);   // every value must be overwritten
        float[]? ws = null;
        Conv2DOp.ImplicitInputGradient(dy, kernel, dx, g, ref ws);
        var (dxRef, scale) = ReferenceInputGradient(dy, kernel, g);
        for (int i = 0; i < dx.Size; i++)
            Assert.True(Math.Abs(dx.Data[i] - dxRef.Data[i]) <= 1e-5f * scale + 1e-6f, $"dx[{i}]: {dx.Data[i]} vs {dxRef.Data[i]}");
    }

    [Fact]
    public void BackwardTakesItForStrideOneWideEnoughAndLittlePadding()
    {
        // Only where the GEMM reads A's rows in place (every vector width's kernel) and the width's default has it on.
        Assert.Equal(GemmKernels.ReadsRows && DeepSharp.Backends.Backend.Cpu.Options.ImplicitInputGradient,
            Conv2DOp.HasImplicitInputGradient(ConvGeometry.Create(64, 13, 13, 32, 3, 3, 1, 1, Padding.Valid), 64));
        Assert.False(Conv2DOp.HasImplicitInputGradient(ConvGeometry.Create(64, 13, 13, 32, 3, 3, 2, 2, Padding.Valid), 64));
        Assert.False(Conv2DOp.HasImplicitInputGradient(ConvGeometry.Create(64, 13, 13, 32, 3, 3, 1, 1, Padding.Valid), 8));
        Assert.False(Conv2DOp.HasImplicitInputGradient(ConvGeometry.Create(64, 5, 5, 64, 3, 3, 1, 1, Padding.Valid), 64));  // mostly padding
        Assert.False(Conv2DOp.HasImplicitInputGradient(ConvGeometry.Create(20, 150, 150, 3, 3, 3, 1, 1, Padding.Valid), 32)); // 3 channels
    }
}
