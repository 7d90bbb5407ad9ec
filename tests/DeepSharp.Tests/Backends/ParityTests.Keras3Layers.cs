using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;

namespace DeepSharp.Tests.Backends;

/// <summary>
/// The primitives of DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, UpSampling2D, LayerNormalization,
/// SpatialDropout2D and Multiply: the CPU backend against the reference at every vector width and path set.
/// </summary>
public partial class ParityTests
{
    [Theory]
    [InlineData(1, 7, 9, 3, 1, 3, 3, 1, "valid")]
    [InlineData(3, 9, 8, 5, 2, 3, 3, 2, "same")]     // depth multiplier 2, stride 2, odd "same" padding
    [InlineData(2, 6, 7, 16, 1, 2, 3, 1, "same")]
    [InlineData(1, 11, 10, 32, 3, 5, 5, 2, "valid")]
    public void DepthwiseConv2D(int batch, int h, int w, int c, int m, int kh, int kw, int stride, string padding)
    {
        var g = ConvGeometry.Create(batch, h, w, c, kh, kw, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(1, batch, h, w, c);
        var kernel = Random(2, kh, kw, c, m);
        var bias = Random(3, c * m);
        var dy = Random(4, batch, g.OutH, g.OutW, c * m);
        UnderEveryPath(path => Same(path, $"depthwise {batch}×{h}×{w}×{c}·{m}, {kh}×{kw}/{stride} {padding}", b =>
        {
            var y = new Tensor(batch, g.OutH, g.OutW, c * m);
            var (dx, dk, db) = (new Tensor(x.ShapeArray), new Tensor(kernel.ShapeArray), new Tensor(c * m));
            b.DepthwiseConv2D(x, kernel, bias, y, g);
            b.DepthwiseConv2DBackward(x, kernel, dy, dx, dk, db, g, new BackendScratch());
            var y0 = new Tensor(y.ShapeArray);
            b.DepthwiseConv2D(x, kernel, null, y0, g);
            return Concat(y, y0, dx, dk, db);
        }));
    }

    [Theory]
    [InlineData(1, 5, 6, 3, 4, 3, 3, 1, "valid", -1)]
    [InlineData(3, 4, 5, 3, 5, 3, 3, 2, "same", -1)]
    [InlineData(2, 5, 4, 6, 3, 3, 3, 2, "valid", 1)]    // output_padding 1
    [InlineData(1, 4, 4, 2, 3, 4, 4, 2, "same", 0)]     // an even kernel with output_padding 0: uneven padding
    [InlineData(2, 3, 5, 4, 2, 2, 3, 2, "same", -1)]
    [InlineData(2, 8, 8, 16, 32, 3, 3, 1, "same", -1)]  // Winograd-able, implicit GEMM
    [InlineData(3, 6, 5, 20, 17, 1, 1, 2, "valid", -1)] // 1×1 stride 2: the rows between are the bias alone
    public void Conv2DTranspose(int batch, int h, int w, int c, int f, int kh, int kw, int stride, string padding, int outputPadding)
    {
        var g = ConvGeometry.ForTranspose(batch, h, w, f, kh, kw, stride, stride, padding == "same" ? Padding.Same : Padding.Valid,
            outputPadding < 0 ? null : (outputPadding, outputPadding));
        var x = Random(1, batch, h, w, c);
        var kernel = Random(2, kh, kw, f, c);
        var bias = Random(3, f);
        var dy = Random(4, batch, g.InH, g.InW, f);
        foreach (bool sparse in (bool[])[false, true])
        {
            var xs = sparse ? Sparse(5, batch, h, w, c) : x;
            UnderEveryPath(path => Same(path, $"conv transpose {batch}×{h}×{w}×{c} → {f}, {kh}×{kw}/{stride} {padding} op {outputPadding}, sparse {sparse}", b =>
            {
                var scratch = new BackendScratch();
                var y = new Tensor(batch, g.InH, g.InW, f);
                var (dx, dk, db) = (new Tensor(x.ShapeArray), new Tensor(kernel.ShapeArray), new Tensor(f));
                b.Conv2DTranspose(xs, kernel, bias, y, g, scratch);
                b.Conv2DTransposeBackward(xs, kernel, dy, dx, dk, db, g, scratch);
                return Concat(y, dx, dk, db);
            }));
        }
    }

    [Theory]
    [InlineData(1, 3, 4, 5, 2, 2)]
    [InlineData(3, 5, 3, 16, 3, 2)]
    [InlineData(2, 1, 6, 7, 2, 3)]
    public void UpSampling(int batch, int h, int w, int c, int sh, int sw)
    {
        var x = Random(1, batch, h, w, c);
        var dy = Random(2, batch, h * sh, w * sw, c);
        foreach (bool bilinear in (bool[])[false, true])
            UnderEveryPath(path => Same(path, $"upsampling {batch}×{h}×{w}×{c} by {sh}×{sw}, bilinear {bilinear}", b =>
            {
                var (y, dx) = (new Tensor(dy.ShapeArray), new Tensor(x.ShapeArray));
                b.UpSample(x, y, sh, sw, bilinear);
                b.UpSampleBackward(dy, dx, sh, sw, bilinear);
                return Concat(y, dx);
            }));
    }

    [Fact]
    public void LayerNormChannelDropoutAndMultiply()
    {
        var x = Random(1, 3, 4, 5, 7);
        var other = Random(2, 3, 4, 5, 7);
        var third = Random(3, 3, 4, 5, 7);
        var gamma = Random(4, 35);
        var beta = Random(5, 35);
        UnderEveryPath(path =>
        {
            foreach (int d in (int[])[7, 35])
                foreach (bool affine in (bool[])[true, false])
                    Same(path, $"layer norm over {d}, affine {affine}", b =>
                    {
                        int rows = x.Size / d;
                        var (g, be) = affine ? (gamma.Reshape(35).Slice(0, d), beta.Reshape(35).Slice(0, d)) : (null, null);
                        var (y, dx, dg, db) = (new Tensor(x.ShapeArray), new Tensor(x.ShapeArray), new Tensor(d), new Tensor(d));
                        var (mean, inv) = (new float[rows], new float[rows]);
                        // a large mean, as after a ReLU stack: the backward must not cancel it away
                        var shifted = x + 30f;
                        b.LayerNorm(shifted, g, be, 1e-3f, y, mean, inv);
                        b.LayerNormBackward(shifted, g, mean, inv, other, dx, dg, db);
                        return Concat(y, dx, dg, db, new Tensor(mean, rows), new Tensor(inv, rows));
                    }, 5e-4);
            Same(path, "channel dropout (the same draws)", b =>
            {
                var (y, mask, dx) = (new Tensor(x.ShapeArray), new Tensor(3, 7), new Tensor(x.ShapeArray));
                b.ChannelDropout(x, y, mask, 0.4f, new Random(5));
                b.ChannelDropoutBackward(other, mask, dx);
                return Concat(y, mask, dx);
            }, 0);
            Same(path, "multiply", b =>
            {
                var (y, d0, d2) = (new Tensor(x.ShapeArray), new Tensor(x.ShapeArray), new Tensor(x.ShapeArray));
                b.Multiply([x, other, third], y);
                b.MultiplyBackward([x, other, third], 0, third, d0);
                b.MultiplyBackward([x, other, third], 2, third, d2);
                return Concat(y, d0, d2);
            }, 1e-6);
        });
    }

    /// <summary>The ops facade's primitives: a ∘ b with b repeated over a's leading axes, and sums over one axis.</summary>
    [Fact]
    public void BroadcastBinaryAndSumAxis()
    {
        var a = Random(6, 3, 4, 5, 7);
        var divisor = Random(7, 3, 4, 5, 7);
        for (int i = 0; i < divisor.Size; i++) divisor.Data[i] = 0.5f + Math.Abs(divisor.Data[i]);
        var channel = Random(8, 7);
        for (int i = 0; i < channel.Size; i++) channel.Data[i] = 0.5f + Math.Abs(channel.Data[i]);
        var scalar = Tensor.FromArray([1.75f], 1);
        UnderEveryPath(path =>
        {
            foreach (var b in new[] { divisor, channel, scalar })
                foreach (var op in Enum.GetValues<BinaryOp>())
                    Same(path, $"{op} by {Tensor.FormatShape(b.Shape)}", backend =>
                    {
                        var y = new Tensor(3, 4, 5, 7);
                        backend.BroadcastBinary(op, a, b, y);
                        return y;
                    }, 1e-6);
            foreach (var (outer, n, inner) in new[] { (1, 420, 1), (1, 60, 7), (3, 20, 7), (12, 35, 1), (3, 4, 35) })
                Same(path, $"sum ({outer}, {n}, {inner})", backend =>
                {
                    var y = new Tensor(outer, inner);
                    backend.SumAxis(a, y, outer, n, inner);
                    return y;
                }, 1e-5);
        });
    }
}
