using DeepSharp.Backends.Cpu;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>DenseOp's backward (input, kernel and bias gradients) against finite differences.</summary>
public class DenseOpGradientTests
{
    [Theory]
    [InlineData(3, 7, 5, true)]
    [InlineData(1, 4, 1, false)]
    [InlineData(5, 16, 9, true)]
    public void GradientsMatchFiniteDifferences(int batch, int inputs, int units, bool useBias)
    {
        var x = Random(1, [batch, inputs]);
        var kernel = Random(2, [inputs, units]);
        var bias = useBias ? Random(3, [units]) : null;
        var y = new Tensor(batch, units);
        Tensor Forward()
        {
            DenseOp.Forward(x, kernel, bias, y);
            return y;
        }
        var dy = Random(4, [batch, units]);
        Forward();
        var dx = new Tensor(x.ShapeArray);
        var dKernel = new Tensor(kernel.ShapeArray);
        var dBias = useBias ? new Tensor(units) : null;
        DenseOp.Backward(x, kernel, dy, dx, dKernel, dBias);
        float[] ax = Copy(dx), ak = Copy(dKernel), ab = dBias is null ? [] : Copy(dBias);

        CheckOp("dense: dx", x, Forward, dy, ax);
        CheckOp("dense: dkernel", kernel, Forward, dy, ak);
        if (bias is not null) CheckOp("dense: dbias", bias, Forward, dy, ab);
    }
}
