using DeepSharp.Layers;
using DeepSharp.Optimizers;

namespace DeepSharp.Tests.Optimizers;

/// <summary>
/// The vectorized (and, for large weights, multi-threaded) updates give the same bits as the scalar Keras
/// formulas applied one value at a time, over two steps, on a weight long enough for every code path.
/// </summary>
public class OptimizerVectorTests
{
    [Theory]
    [InlineData("rmsprop", 1037)]
    [InlineData("rmsprop", 300_005)]   // split across threads
    [InlineData("rmsprop-momentum", 1037)]
    [InlineData("adam", 1037)]
    [InlineData("adam", 300_005)]
    public void VectorUpdateEqualsTheScalarFormula(string which, int size)
    {
        Optimizer optimizer = which switch
        {
            "rmsprop" => new RMSprop(learningRate: 0.01f),
            "rmsprop-momentum" => new RMSprop(learningRate: 0.01f, momentum: 0.9f),
            _ => new Adam(learningRate: 0.01f),
        };
        var layer = new Dense(1, useBias: false, inputDim: size);
        layer.Call(new Input(size));
        var p = layer.Parameters[0];
        var r = new Random(3);
        for (int i = 0; i < size; i++) p.Value.Data[i] = (float)(r.NextDouble() * 2 - 1);
        var w = p.Value.Span.ToArray();
        var s1 = new float[size];
        var s2 = new float[size];
        for (int step = 1; step <= 2; step++)
        {
            for (int i = 0; i < size; i++) p.Grad.Data[i] = (float)((r.NextDouble() * 2 - 1) * Math.Pow(10, -r.Next(4)));
            optimizer.Apply(layer.Parameters);
            var g = p.Grad.Data;
            for (int i = 0; i < size; i++)
            {
                switch (which)
                {
                    case "rmsprop":
                        s1[i] = 0.9f * s1[i] + (1 - 0.9f) * g[i] * g[i];
                        w[i] -= 0.01f * g[i] / MathF.Sqrt(s1[i] + 1e-7f);
                        break;
                    case "rmsprop-momentum":
                        s1[i] = 0.9f * s1[i] + (1 - 0.9f) * g[i] * g[i];
                        s2[i] = 0.9f * s2[i] + 0.01f * g[i] / MathF.Sqrt(s1[i] + 1e-7f);
                        w[i] -= s2[i];
                        break;
                    default:
                        float alpha = (float)(0.01f * Math.Sqrt(1 - Math.Pow(0.999f, step)) / (1 - Math.Pow(0.9f, step)));
                        s1[i] += (g[i] - s1[i]) * (float)(1 - 0.9);     // Keras: 1 - self.beta_1 from the Python float
                        s2[i] += (g[i] * g[i] - s2[i]) * (float)(1 - 0.999);
                        w[i] -= alpha * s1[i] / (MathF.Sqrt(s2[i]) + 1e-7f);
                        break;
                }
            }
        }
        Assert.Equal(w, p.Value.Span.ToArray());
    }
}
