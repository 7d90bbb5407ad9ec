using DeepSharp.Layers;
using DeepSharp.Optimizers;

namespace DeepSharp.Tests.Optimizers;

/// <summary>
/// Two steps of each optimizer (so the state carries over) against Keras 3's update formulas, written out
/// here in double precision. The gradients mix sizes from 1e-4 to 2 so that, for example, where epsilon sits
/// (inside or outside the square root) changes the result far beyond the tolerance.
/// </summary>
public class OptimizerStepTests
{
    // One Dense(3) on 4 inputs: kernel (4, 3) and bias (3), 15 weights in all.
    private static readonly float[] W0 = [0.5f, -0.25f, 1f, 0.75f, -1.5f, 0.1f, 0f, 2f, -0.3f, 0.6f, -0.9f, 1.2f, 0.05f, -0.05f, 0.4f];
    private static readonly float[] G1 = [0.1f, -0.2f, 1e-4f, 2f, -1f, 0f, 0.5f, -1e-4f, 0.3f, -0.7f, 1.5f, 1e-3f, -0.02f, 0.9f, -2f];
    private static readonly float[] G2 = [-0.3f, 0.1f, 2e-4f, 1f, 0.5f, 0.25f, 0.5f, -1e-4f, -0.3f, 0.2f, 1e-4f, -0.4f, 0.8f, 0.9f, 1f];

    /// <summary>Runs two steps of <paramref name="optimizer"/> on the weights W0 with gradients G1 then G2.</summary>
    private static float[] TwoSteps(Optimizer optimizer)
    {
        var layer = new Dense(3, inputDim: 4);
        layer.Call(new Input(4));
        var ps = layer.Parameters;
        Assert.Equal(15, ps.Sum(p => p.Value.Size));
        foreach (var g in new[] { G1, G2 })
        {
            Scatter(W0, ps, p => p.Value, first: g == G1);
            Scatter(g, ps, p => p.Grad, first: true);
            optimizer.Apply(ps);
        }
        return ps.SelectMany(p => p.Value.Span.ToArray()).ToArray();
    }

    /// <summary>Copies a flat array into the parameters (values only before the first step).</summary>
    private static void Scatter(float[] flat, IReadOnlyList<Parameter> ps, Func<Parameter, Tensor> of, bool first)
    {
        if (!first) return;
        int o = 0;
        foreach (var p in ps)
        {
            flat.AsSpan(o, p.Value.Size).CopyTo(of(p).Span);
            o += p.Value.Size;
        }
    }

    private static void AssertWeights(double[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double update = Math.Abs(expected[i] - W0[i]);
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * update + 2e-7 * (1 + Math.Abs(expected[i])),
                $"{what}: weight {i} is {actual[i]:G9} after two steps; the Keras formula gives {expected[i]:G9} (start {W0[i]}, update {update:G3}).");
        }
    }

    [Theory]
    [InlineData(1e-3, 0.9, 1e-7)]     // Keras' defaults
    [InlineData(1e-2, 0.8, 1e-3)]
    public void RMSpropMatchesKeras(double lr, double rho, double eps)
    {
        // Keras 3 RMSprop.update_step (centered=False, momentum=0):
        //   velocity = rho * velocity + (1 - rho) * g²
        //   w -= lr * g / sqrt(velocity + epsilon)        (epsilon inside the square root)
        var w = W0.Select(v => (double)v).ToArray();
        var a = new double[15];
        foreach (var g in new[] { G1, G2 })
            for (int i = 0; i < 15; i++)
            {
                a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
                w[i] -= lr * g[i] / Math.Sqrt(a[i] + eps);
            }
        var optimizer = lr == 1e-3 && rho == 0.9 && eps == 1e-7 ? new RMSprop() : new RMSprop((float)lr, (float)rho, epsilon: (float)eps);
        AssertWeights(w, TwoSteps(optimizer), $"RMSprop(lr {lr}, rho {rho}, eps {eps})");
    }

    [Fact]
    public void RMSpropWithMomentumMatchesKeras()
    {
        // Keras 3: increment = lr * g / sqrt(velocity + eps); m = momentum * m + increment; w -= m
        double lr = 1e-3, rho = 0.9, eps = 1e-7, mom = 0.5;
        var w = W0.Select(v => (double)v).ToArray();
        var a = new double[15];
        var m = new double[15];
        foreach (var g in new[] { G1, G2 })
            for (int i = 0; i < 15; i++)
            {
                a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
                m[i] = mom * m[i] + lr * g[i] / Math.Sqrt(a[i] + eps);
                w[i] -= m[i];
            }
        AssertWeights(w, TwoSteps(new RMSprop(momentum: 0.5f)), "RMSprop(momentum 0.5)");
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.9, false)]
    [InlineData(0.9, true)]
    public void SGDMatchesKeras(double momentum, bool nesterov)
    {
        // Keras 3 SGD.update_step:
        //   no momentum: w -= lr * g
        //   momentum:    m = momentum * m - lr * g;  w += m,  or with Nesterov  w += momentum * m - lr * g
        double lr = 0.1;
        var w = W0.Select(v => (double)v).ToArray();
        var m = new double[15];
        foreach (var g in new[] { G1, G2 })
            for (int i = 0; i < 15; i++)
            {
                if (momentum == 0) { w[i] -= lr * g[i]; continue; }
                m[i] = momentum * m[i] - lr * g[i];
                w[i] += nesterov ? momentum * m[i] - lr * g[i] : m[i];
            }
        AssertWeights(w, TwoSteps(new SGD(0.1f, (float)momentum, nesterov)), $"SGD(momentum {momentum}, nesterov {nesterov})");
    }

    [Fact]
    public void SGDDefaultLearningRateIsKeras001()
    {
        var w = W0.Select((v, i) => v - 0.01 * G1[i] - 0.01 * G2[i]).ToArray();
        AssertWeights(w, TwoSteps(Optimizer.Get("sgd")), "SGD()");
    }

    [Theory]
    [InlineData(1e-3, 0.9, 0.999, 1e-7)]   // Keras' defaults
    [InlineData(1e-2, 0.8, 0.99, 1e-3)]
    public void AdamMatchesKeras(double lr, double b1, double b2, double eps)
    {
        // Keras 3 Adam.update_step (amsgrad=False), t = iterations + 1:
        //   alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)
        //   m += (g - m) * (1 - b1);  v += (g² - v) * (1 - b2)
        //   w -= alpha * m / (sqrt(v) + epsilon)
        var w = W0.Select(v => (double)v).ToArray();
        var m = new double[15];
        var v = new double[15];
        int t = 0;
        foreach (var g in new[] { G1, G2 })
        {
            t++;
            double alpha = lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
            for (int i = 0; i < 15; i++)
            {
                m[i] += (g[i] - m[i]) * (1 - b1);
                v[i] += ((double)g[i] * g[i] - v[i]) * (1 - b2);
                w[i] -= alpha * m[i] / (Math.Sqrt(v[i]) + eps);
            }
        }
        var optimizer = lr == 1e-3 && b1 == 0.9 && b2 == 0.999 && eps == 1e-7 ? (Adam)Optimizer.Get("adam") : new Adam((float)lr, (float)b1, (float)b2, (float)eps);
        var actual = TwoSteps(optimizer);
        Assert.Equal(2, optimizer.Iterations);
        AssertWeights(w, actual, $"Adam(lr {lr}, b1 {b1}, b2 {b2}, eps {eps})");
    }

    [Fact]
    public void ACheckThatWouldCatchEpsilonOutsideTheSquareRoot()
    {
        // The RMSprop test above must tell sqrt(a + eps) from sqrt(a) + eps with Keras' eps 1e-7:
        // for g = 1e-4 after one step a = 1e-9, and the two differ tenfold.
        double a = 0.1 * 1e-4 * 1e-4, eps = 1e-7;
        double inside = 1e-3 * 1e-4 / Math.Sqrt(a + eps), outside = 1e-3 * 1e-4 / (Math.Sqrt(a) + eps);
        Assert.True(outside / inside > 5, $"{outside} vs {inside}");
        Assert.Contains(1e-4f, G1);
    }

    [Fact]
    public void FrozenWeightsAreLeftAlone()
    {
        var layer = new Dense(3, inputDim: 4);
        layer.Call(new Input(4));
        var before = layer.Kernel.Value.Span.ToArray();
        layer.Kernel.Grad.Span.Fill(1f);
        layer.Trainable = false;
        new Adam().Apply(layer.Parameters);
        Assert.Equal(before, layer.Kernel.Value.Span.ToArray());
    }
}
