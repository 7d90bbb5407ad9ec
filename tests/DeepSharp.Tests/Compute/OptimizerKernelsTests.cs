using DeepSharp.Backends.Cpu;

namespace DeepSharp.Tests.Compute;

/// <summary>The optimizers' vector updates at every width give the same bits as the scalar formulas.</summary>
public unsafe class OptimizerKernelsTests
{
    [Theory]
    [InlineData("adam")]
    [InlineData("rmsprop")]
    [InlineData("rmsprop-momentum")]
    [InlineData("amsgrad")]
    [InlineData("adagrad")]
    [InlineData("nadam")]
    public void EveryWidthEqualsTheScalarLoop(string which)
    {
        const int size = 1037;   // vectors of every width and a tail
        var r = new Random(5);
        float[] Fill(double scale) { var a = new float[size]; for (int i = 0; i < size; i++) a[i] = (float)((r.NextDouble() * 2 - 1) * scale); return a; }
        var w0 = Fill(1); var g = Fill(0.1); var s10 = Fill(0.01); var s20 = Fill(0.01); var s30 = Fill(0.01);
        for (int i = 0; i < size; i++) { s10[i] = Math.Abs(s10[i]); s30[i] = Math.Abs(s30[i]); if (which != "rmsprop-momentum") s20[i] = Math.Abs(s20[i]); }
        (float[] W, float[] S1, float[] S2, float[] S3) Run(VectorWidth width)
        {
            var w = (float[])w0.Clone(); var s1 = (float[])s10.Clone(); var s2 = (float[])s20.Clone(); var s3 = (float[])s30.Clone();
            fixed (float* pw = w, pg = g, p1 = s1, p2 = s2, p3 = s3)
            {
                // Two ranges, as the threads split the weights: the second starts off a vector boundary.
                foreach (var (i0, i1) in new[] { (0, 517), (517, size) })
                {
                    if (which == "adam") OptimizerKernels.Adam(pw, pg, p1, p2, null, i0, i1, 0.003f, 0.1f, 0.001f, 1e-7f, width);
                    else if (which == "amsgrad") OptimizerKernels.Adam(pw, pg, p1, p2, p3, i0, i1, 0.003f, 0.1f, 0.001f, 1e-7f, width);
                    else if (which == "adagrad") OptimizerKernels.Adagrad(pw, pg, p1, i0, i1, 0.01f, 1e-7f, width);
                    else if (which == "nadam") OptimizerKernels.Nadam(pw, pg, p1, p2, i0, i1, 0.002f, 0.1f, 0.001f, 4.7f, 0.05f, 0.002f, 1e-7f, width);
                    else OptimizerKernels.RMSprop(pw, pg, p1, which == "rmsprop" ? null : p2, i0, i1, 0.01f, 0.9f, 1e-7f, which == "rmsprop" ? 0f : 0.9f, width);
                }
            }
            return (w, s1, s2, s3);
        }
        var expected = Run(VectorWidth.Scalar);
        Assert.NotEqual(w0, expected.W);
        foreach (var width in VectorWidths.Vector)
        {
            var got = Run(width);
            Assert.Equal(expected.W, got.W);
            Assert.Equal(expected.S1, got.S1);
            Assert.Equal(expected.S2, got.S2);
            Assert.Equal(expected.S3, got.S3);
        }
    }
}
