using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Backends.Reference;
using static DeepSharp.Tests.GradientCheck;

// The facade is the type DeepSharp.Ops (src/DeepSharp/Ops/): its tests live in the folder Ops and the namespace
// DeepSharp.Tests, so that no test namespace named "Ops" hides the type.
namespace DeepSharp.Tests;

/// <summary>
/// The ops facade on both backends (the CPU one and the reference one as Backend.Current): each op against the backend
/// primitive it wraps or a plain double-precision loop, each gradient helper against finite differences, the output
/// overloads reusing their tensor, and the argument errors.
/// </summary>
[Collection("GemmPath")]   // it swaps Backend.Current, which every op reads
public class OpsTests
{
    public static TheoryData<string> Backends => new() { "cpu", "reference" };

    private static void On(string backend, Action body)
    {
        var saved = Backend.Current;
        Backend.Current = backend == "cpu" ? Backend.Cpu : new ReferenceBackend();
        try { body(); }
        finally { Backend.Current = saved; }
    }

    private static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, double tol = 1e-5)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double scale = 1e-6;
        foreach (float v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * scale, $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }

    [Theory, MemberData(nameof(Backends))]
    public void ElementwiseOpsBroadcastTheSecondOperandOverLeadingAxes(string backend) => On(backend, () =>
    {
        var a = Random(1, [2, 3, 4, 5]);
        var same = AwayFromZero(2, [2, 3, 4, 5], 0.5f, 2f);
        var channel = AwayFromZero(3, [5], 0.5f, 2f);
        var scalar = Tensor.FromArray([1.5f], 1);
        foreach (var b in new[] { same, channel, scalar, channel.Reshape(1, 1, 5) })
        {
            float[] av = a.Span.ToArray(), bv = b.Span.ToArray();
            float[] Expected(Func<double, double, double> f)
            {
                var r = new float[a.Size];
                for (int i = 0; i < r.Length; i++) r[i] = (float)f(av[i], bv[i % bv.Length]);
                return r;
            }
            string shape = Tensor.FormatShape(b.Shape);
            Close(Expected((p, q) => p + q), Ops.Add(a, b).Span, $"Add {shape}");
            Close(Expected((p, q) => p - q), Ops.Subtract(a, b).Span, $"Subtract {shape}");
            Close(Expected((p, q) => p * q), Ops.Multiply(a, b).Span, $"Multiply {shape}");
            Close(Expected((p, q) => p / q), Ops.Divide(a, b).Span, $"Divide {shape}");
            Close(Expected((p, q) => p * q), Ops.Multiply(b, a).Span, $"Multiply {shape} first");   // commutative: either side broadcasts
            Assert.Equal(a.Shape.ToArray(), Ops.Add(b, a).Shape.ToArray());
        }
        var bad = Assert.Throws<ArgumentException>(() => Ops.Add(a, new Tensor(4)));
        Assert.Contains("(2, 3, 4, 5)", bad.Message);
        Assert.Contains("(4)", bad.Message);
        Assert.Throws<ArgumentException>(() => Ops.Subtract(channel, a));   // only the second operand broadcasts
    });

    [Theory, MemberData(nameof(Backends))]
    public void SumAndMeanReduceNeighbouringAxes(string backend) => On(backend, () =>
    {
        var x = Random(4, [2, 3, 4, 5]);
        double Get(int n, int h, int w, int c) => x[n, h, w, c];
        // over the batch, height and width: per channel
        var perChannel = new float[5];
        for (int c = 0; c < 5; c++) { double s = 0; for (int n = 0; n < 2; n++) for (int h = 0; h < 3; h++) for (int w = 0; w < 4; w++) s += Get(n, h, w, c); perChannel[c] = (float)s; }
        var sum = Ops.Sum(x, [0, 1, 2]);
        Assert.Equal(new[] { 5 }, sum.Shape.ToArray());
        Close(perChannel, sum.Span, "Sum [0,1,2]");
        Close(perChannel.Select(v => v / 24f).ToArray(), Ops.Mean(x, [2, 1, 0]).Span, "Mean [0,1,2]");
        // the middle axes, keepdims
        var mid = Ops.Sum(x, [1, -2], keepdims: true);
        Assert.Equal(new[] { 2, 1, 1, 5 }, mid.Shape.ToArray());
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 5; c++)
            {
                double s = 0;
                for (int h = 0; h < 3; h++) for (int w = 0; w < 4; w++) s += Get(n, h, w, c);
                Assert.Equal(s, mid[n, 0, 0, c], 4);
            }
        Assert.Equal(x.Span.ToArray().Select(v => (double)v).Sum(), Ops.Sum(x).Span[0], 3);
        Assert.Equal(Array.Empty<int>(), Ops.Mean(x).Shape.ToArray());
        var last = Ops.Sum(x, [-1]);
        Assert.Equal(new[] { 2, 3, 4 }, last.Shape.ToArray());
        Assert.Equal(Enumerable.Range(0, 5).Sum(c => Get(1, 2, 3, c)), last[1, 2, 3], 4);
        Assert.Contains("neighbours", Assert.Throws<ArgumentException>(() => Ops.Sum(x, [0, 2])).Message);
        Assert.Contains("rank 4", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Sum(x, [4])).Message);
    });

    [Theory, MemberData(nameof(Backends))]
    public void TransposePermutesAxes(string backend) => On(backend, () =>
    {
        var x = Random(5, [2, 3, 4]);
        var y = Ops.Transpose(x, [2, 0, 1]);
        Assert.Equal(new[] { 4, 2, 3 }, y.Shape.ToArray());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) Assert.Equal(x[i, j, k], y[k, i, j]);
        var r = Ops.Transpose(x);
        Assert.Equal(new[] { 4, 3, 2 }, r.Shape.ToArray());
        Assert.Equal(x[1, 2, 3], r[3, 2, 1]);
        Assert.Throws<ArgumentException>(() => Ops.Transpose(x, [0, 0, 1]));
    });

    [Theory, MemberData(nameof(Backends))]
    public void MatMulAndItsTransposesMatchLoopsAndFiniteDifferences(string backend) => On(backend, () =>
    {
        var a = Random(6, [5, 3]);
        var b = Random(7, [3, 4]);
        var y = Ops.MatMul(a, b);
        Assert.Equal(new[] { 5, 4 }, y.Shape.ToArray());
        for (int i = 0; i < 5; i++) for (int j = 0; j < 4; j++)
            {
                double s = 0;
                for (int k = 0; k < 3; k++) s += (double)a[i, k] * b[k, j];
                Assert.Equal(s, y[i, j], 5);
            }
        // Backward of y = a·b: dA = dy·bᵀ, dB = aᵀ·dy, checked against central differences of L = Σ dy ⊙ (a·b).
        var dy = Random(8, [5, 4]);
        var dA = Ops.MatMul(dy, b, transposeB: true).Span.ToArray();
        var dB = Ops.MatMul(a, dy, transposeA: true).Span.ToArray();
        CheckOp($"{backend} matmul dA", a, () => Ops.MatMul(a, b), dy, dA);
        CheckOp($"{backend} matmul dB", b, () => Ops.MatMul(a, b), dy, dB);
        Assert.Contains("inner sizes", Assert.Throws<ArgumentException>(() => Ops.MatMul(a, a)).Message);
        Assert.Throws<ArgumentException>(() => Ops.MatMul(a, b, transposeA: true, transposeB: true));
        Assert.Contains("2-D", Assert.Throws<ArgumentException>(() => Ops.MatMul(Random(1, [2, 2, 2]), b)).Message);
    });

    [Theory]
    [InlineData("cpu", 1, "valid")]
    [InlineData("cpu", 2, "same")]
    [InlineData("reference", 1, "same")]
    [InlineData("reference", 2, "valid")]
    public void Conv2DMatchesTheBackendPrimitiveAndItsGradientsMatchFiniteDifferences(string backend, int stride, string padding) => On(backend, () =>
    {
        var x = Random(9, [2, 7, 6, 3]);
        var kernel = Random(10, [3, 3, 3, 4]);
        var y = Ops.Conv2D(x, kernel, strides: stride, padding: padding);
        var g = ConvGeometry.Create(2, 7, 6, 3, 3, 3, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var expected = new Tensor(g.Batch, g.OutH, g.OutW, 4);
        Backend.Current.Conv2D(x, kernel, null, expected, g, relu: false, new BackendScratch());
        Assert.Equal(expected.Shape.ToArray(), y.Shape.ToArray());
        Close(expected.Span, y.Span, "Conv2D");

        var dy = Random(11, y.Shape.ToArray());
        var dx = Ops.Conv2DInputGradient(dy, kernel, x.Shape.ToArray(), stride, padding).Span.ToArray();
        var dk = Ops.Conv2DKernelGradient(x, dy, (3, 3), stride, padding).Span.ToArray();
        CheckOp($"{backend} conv dx", x, () => Ops.Conv2D(x, kernel, stride, padding), dy, dx);
        CheckOp($"{backend} conv dKernel", kernel, () => Ops.Conv2D(x, kernel, stride, padding), dy, dk);

        Assert.Contains("(kh, kw, 3, filters)", Assert.Throws<ArgumentException>(() => Ops.Conv2D(x, Random(1, [3, 3, 2, 4]))).Message);
        Assert.Contains("dy has shape", Assert.Throws<ArgumentException>(() => Ops.Conv2DKernelGradient(x, Random(1, [2, 1, 1, 4]), (3, 3), stride, padding)).Message);
    });

    [Theory, MemberData(nameof(Backends))]
    public void ActivationsMatchTheBackendAndTheirGradientsMatchFiniteDifferences(string backend) => On(backend, () =>
    {
        var x = AwayFromZero(12, [3, 7], 0.1f, 1.5f);   // no value within the probe of relu's kink
        var dy = Random(13, [3, 7]);
        foreach (var (kind, forward, gradient) in new (ActivationKind, Func<Tensor, Tensor>, Func<Tensor, Tensor, Tensor>)[]
        {
            (ActivationKind.Relu, Ops.Relu, Ops.ReluGradient),
            (ActivationKind.Sigmoid, Ops.Sigmoid, Ops.SigmoidGradient),
            (ActivationKind.Tanh, Ops.Tanh, Ops.TanhGradient),
            (ActivationKind.Softmax, t => Ops.Softmax(t), (y, d) => Ops.SoftmaxGradient(y, d)),
        })
        {
            var y = forward(x);
            var expected = new Tensor(3, 7);
            Backend.Current.Activation(kind, x, expected);
            Close(expected.Span, y.Span, $"{kind}");
            CheckOp($"{backend} {kind} gradient", x, () => forward(x), dy, gradient(y, dy).Span.ToArray());
        }
        // softmax over another axis: each column sums to 1
        var s0 = Ops.Softmax(x, axis: 0);
        for (int j = 0; j < 7; j++) Assert.Equal(1.0, s0[0, j] + s0[1, j] + (double)s0[2, j], 5);
        CheckOp($"{backend} softmax axis 0", x, () => Ops.Softmax(x, 0), dy, Ops.SoftmaxGradient(s0, dy, 0).Span.ToArray());
        Assert.Contains("dy has shape", Assert.Throws<ArgumentException>(() => Ops.ReluGradient(x, new Tensor(3, 6))).Message);
    });

    [Fact]
    public void OutputOverloadsReuseTheirTensorAndAllocateNothingOnceWarm()
    {
        var x = Random(14, [4, 6, 6, 2]);
        var kernel = Random(15, [3, 3, 2, 3]);
        var gamma = Random(16, [3]);
        var w = Random(17, [8, 5]);
        var flat = Random(18, [4, 8]);
        Tensor? conv = null, scaled = null, act = null, mm = null, sum = null;
        void Step()
        {
            Ops.Conv2D(x, kernel, 1, "same", ref conv);
            Ops.Multiply(conv!, gamma, ref scaled);
            Ops.Relu(scaled!, ref act);
            Ops.MatMul(flat, w, ref mm);
            Ops.Sum(act!, null, false, ref sum);
        }
        Step();
        var (c, s, a, m) = (conv, scaled, act, mm);
        Step();
        Assert.Same(c, conv);
        Assert.Same(s, scaled);
        Assert.Same(a, act);
        Assert.Same(m, mm);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024, $"five warm steps of ops into their outputs allocated {allocated} bytes");

        // A smaller batch reuses the storage with the smaller shape; the in-place forms are allowed where documented.
        var small = Random(19, [2, 6, 6, 2]);
        Ops.Conv2D(small, kernel, 1, "same", ref conv);
        Assert.Same(c, conv);
        Assert.Equal(new[] { 2, 6, 6, 3 }, conv!.Shape.ToArray());
        var inPlace = Random(20, [3, 4]);
        Tensor? alias = inPlace;
        Ops.Relu(inPlace, ref alias);
        Assert.All(inPlace.Span.ToArray(), v => Assert.True(v >= 0));
        Tensor? bad = kernel;
        Assert.Contains("output is also", Assert.Throws<ArgumentException>(() => Ops.Conv2D(x, kernel, 1, "same", ref bad)).Message);
    }
}
