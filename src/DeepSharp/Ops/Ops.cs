using DeepSharp.Backends;

namespace DeepSharp;

/// <summary>
/// The ops facade (Keras 3's <c>keras.ops</c>): tensor math that runs on the backend the tensors' device is computed by
/// (<c>Backend.Current</c>), so a custom layer calls <c>Ops.Conv2D</c>, <c>Ops.MatMul</c>, <c>Ops.Multiply</c>, ... instead
/// of writing loops over spans, and gets the CPU backend's vectorized, multi-threaded kernels (or a future device's).
/// Layouts are Keras': images channels-last (batch, height, width, channels), convolution kernels (kh, kw, in, out).
/// <para>
/// DeepSharp layers write Forward and Backward side by side (no autograd), so each op that has parameters to learn comes
/// with the gradients a layer's Backward needs: <see cref="Conv2DInputGradient(Tensor, Tensor, int[], Layers.IntPair?, Layers.PaddingOption)"/> and
/// <see cref="Conv2DKernelGradient(Tensor, Tensor, Layers.IntPair, Layers.IntPair?, Layers.PaddingOption)"/>,
/// <see cref="MatMul(Tensor, Tensor, bool, bool)"/> with transposed operands (dA = dY·Bᵀ, dB = Aᵀ·dY), <see cref="ReluGradient(Tensor, Tensor)"/>,
/// <see cref="SoftmaxGradient(Tensor, Tensor, int)"/>, and <see cref="Sum(Tensor, int[], bool)"/> for the gradient of a
/// broadcast operand.
/// </para>
/// <para>
/// Every op has two forms: one returns a new tensor, the other writes into <c>ref Tensor? output</c>, which it allocates
/// when null or too small and otherwise reuses (reshaped to the result): a layer that keeps its outputs in fields that
/// way allocates nothing per training step. An output must not be one of the op's inputs unless the op says so.
/// </para>
/// </summary>
/// <example><code>
/// // y = relu(x · W + b) and its gradients, as a custom Dense layer writes them (x (batch, in), W (in, out), b (out)).
/// Tensor? y = null, dx = null, dW = null, db = null;
/// Ops.Relu(Ops.Add(Ops.MatMul(x, w), b), ref y);
/// var dz = Ops.ReluGradient(y, dy);                        // dLoss/d(x·W + b)
/// Ops.MatMul(x, dz, ref dW, transposeA: true);             // xᵀ · dz
/// Ops.Sum(dz, [0], keepdims: false, ref db);               // over the batch
/// Ops.MatMul(dz, w, ref dx, transposeB: true);             // dz · Wᵀ
/// </code></example>
public static partial class Ops
{
    private static IBackend B => Backend.Current;

    // ---- elementwise (numpy.py: add, subtract, multiply, divide) ----

    /// <summary>
    /// a + b, elementwise. b may be smaller and is then repeated over a's leading axes (numpy broadcasting where b's shape
    /// is the end of a's: a per-channel bias (C) on images (N, H, W, C), or a scalar); a smaller a is broadcast likewise.
    /// </summary>
    /// <example><code>var y = Ops.Add(images, bias);   // (N, H, W, C) + (C)</code></example>
    public static Tensor Add(Tensor a, Tensor b) { Tensor? y = null; return Add(a, b, ref y); }

    /// <summary><see cref="Add(Tensor, Tensor)"/> into <paramref name="output"/> (allocated when null or too small,
    /// else reused); a and output may be the same tensor.</summary>
    /// <example><code>Ops.Add(x, bias, ref _y);   // _y a field, reused every step</code></example>
    public static Tensor Add(Tensor a, Tensor b, ref Tensor? output) => Binary(BinaryOp.Add, a, b, ref output, commutative: true);

    /// <summary>a - b, elementwise; b may be broadcast over a's leading axes (see <see cref="Add(Tensor, Tensor)"/>).</summary>
    /// <example><code>var centered = Ops.Subtract(x, mean);</code></example>
    public static Tensor Subtract(Tensor a, Tensor b) { Tensor? y = null; return Subtract(a, b, ref y); }

    /// <summary><see cref="Subtract(Tensor, Tensor)"/> into <paramref name="output"/>.</summary>
    /// <example><code>Ops.Subtract(x, mean, ref _centered);</code></example>
    public static Tensor Subtract(Tensor a, Tensor b, ref Tensor? output) => Binary(BinaryOp.Subtract, a, b, ref output, commutative: false);

    /// <summary>a ⊙ b, elementwise; either may be broadcast over the other's leading axes (see <see cref="Add(Tensor, Tensor)"/>).</summary>
    /// <example><code>var scaled = Ops.Multiply(images, gamma);   // (N, H, W, C) ⊙ (C)</code></example>
    public static Tensor Multiply(Tensor a, Tensor b) { Tensor? y = null; return Multiply(a, b, ref y); }

    /// <summary><see cref="Multiply(Tensor, Tensor)"/> into <paramref name="output"/>.</summary>
    /// <example><code>Ops.Multiply(dy, x, ref _product);</code></example>
    public static Tensor Multiply(Tensor a, Tensor b, ref Tensor? output) => Binary(BinaryOp.Multiply, a, b, ref output, commutative: true);

    /// <summary>a / b, elementwise; b may be broadcast over a's leading axes (see <see cref="Add(Tensor, Tensor)"/>).</summary>
    /// <example><code>var normalized = Ops.Divide(x, std);</code></example>
    public static Tensor Divide(Tensor a, Tensor b) { Tensor? y = null; return Divide(a, b, ref y); }

    /// <summary><see cref="Divide(Tensor, Tensor)"/> into <paramref name="output"/>.</summary>
    /// <example><code>Ops.Divide(x, std, ref _normalized);</code></example>
    public static Tensor Divide(Tensor a, Tensor b, ref Tensor? output) => Binary(BinaryOp.Divide, a, b, ref output, commutative: false);

    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b, ref Tensor? output, bool commutative)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (commutative && b.Size > a.Size) (a, b) = (b, a);
        if (!BroadcastsOver(b.Shape, a.Shape))
            throw new ArgumentException($"Ops.{op}: shapes {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)} do not broadcast. " +
                "The second operand must have the first's shape, or the end of it (a per-channel (C) on (N, H, W, C)), or be a scalar." +
                (commutative ? "" : " Only the second operand is broadcast."), nameof(b));
        var y = Output(ref output, a.Shape, b, Name(op));
        B.BroadcastBinary(op, a, b, y);
        return y;
    }

    private static string Name(BinaryOp op) => op switch
    {
        BinaryOp.Add => "Add",
        BinaryOp.Subtract => "Subtract",
        BinaryOp.Multiply => "Multiply",
        _ => "Divide",
    };

    /// <summary>Whether small's shape (leading 1s ignored) is the end of big's (or small is a scalar).</summary>
    private static bool BroadcastsOver(ReadOnlySpan<int> small, ReadOnlySpan<int> big)
    {
        while (small.Length > 0 && small[0] == 1 && small.Length > 0) small = small[1..];
        if (small.Length > big.Length) return false;
        return small.SequenceEqual(big[(big.Length - small.Length)..]);
    }

    // ---- reductions (numpy.py: sum, mean) ----

    /// <summary>
    /// The sum over <paramref name="axis"/> (null: every axis; negative counts from the end; the axes must be neighbours,
    /// such as [0] for the batch or [0, 1, 2] for all but the channels of an image batch). With
    /// <paramref name="keepdims"/> the summed axes stay with size 1 (Keras' <c>ops.sum(x, axis, keepdims)</c>).
    /// </summary>
    /// <example><code>var perChannel = Ops.Sum(dy, [0, 1, 2]);   // (N, H, W, C) → (C): a bias gradient</code></example>
    public static Tensor Sum(Tensor x, int[]? axis = null, bool keepdims = false) { Tensor? y = null; return Sum(x, axis, keepdims, ref y); }

    /// <summary><see cref="Sum(Tensor, int[], bool)"/> into <paramref name="output"/> (not x).</summary>
    /// <example><code>Ops.Sum(dy, [0], false, ref _biasGradient);</code></example>
    public static Tensor Sum(Tensor x, int[]? axis, bool keepdims, ref Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(x);
        Span<int> shape = stackalloc int[x.Rank];
        var (outer, n, inner, rank) = Reduction("Sum", x, axis, keepdims, shape);
        var y = Output(ref output, shape[..rank], x, "Sum");
        B.SumAxis(x, y, outer, n, inner);
        return y;
    }

    /// <summary>The mean over <paramref name="axis"/> (as <see cref="Sum(Tensor, int[], bool)"/>, divided by the count).</summary>
    /// <example><code>var channelMeans = Ops.Mean(images, [0, 1, 2]);</code></example>
    public static Tensor Mean(Tensor x, int[]? axis = null, bool keepdims = false) { Tensor? y = null; return Mean(x, axis, keepdims, ref y); }

    /// <summary><see cref="Mean(Tensor, int[], bool)"/> into <paramref name="output"/> (not x).</summary>
    /// <example><code>Ops.Mean(x, [0], false, ref _mean);</code></example>
    public static Tensor Mean(Tensor x, int[]? axis, bool keepdims, ref Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(x);
        Span<int> shape = stackalloc int[x.Rank];
        var (outer, n, inner, rank) = Reduction("Mean", x, axis, keepdims, shape);
        var y = Output(ref output, shape[..rank], x, "Mean");
        B.SumAxis(x, y, outer, n, inner);
        B.Scale(y.Span, n == 0 ? float.NaN : 1f / n);
        return y;
    }

    /// <summary>The (outer, n, inner) view of a reduction over neighbouring axes and its result's shape (no allocation
    /// once <paramref name="shape"/> is given: it receives the result's dimensions, and the count is returned).</summary>
    private static (int Outer, int N, int Inner, int Rank) Reduction(string op, Tensor x, int[]? axis, bool keepdims, Span<int> shape)
    {
        int rank = x.Rank;
        int first = 0, last = rank - 1;
        if (axis is { Length: > 0 })
        {
            first = int.MaxValue; last = int.MinValue;
            ulong seen = 0;
            foreach (int raw in axis)
            {
                int a = raw < 0 ? raw + rank : raw;
                if (a < 0 || a >= rank)
                    throw new ArgumentOutOfRangeException(nameof(axis), $"Ops.{op}: axis {string.Join(", ", axis)} is outside a tensor of rank {rank} (shape {Tensor.FormatShape(x.Shape)}). Use 0 .. {rank - 1} or -1 .. -{rank}.");
                seen |= 1UL << a;
                first = Math.Min(first, a);
                last = Math.Max(last, a);
            }
            if (System.Numerics.BitOperations.PopCount(seen) != last - first + 1)
                throw new ArgumentException($"Ops.{op}: axes [{string.Join(", ", axis)}] are not neighbours. Reduce over neighbouring axes, or Transpose first.", nameof(axis));
        }
        else if (axis is { Length: 0 }) (first, last) = (0, -1);   // no axis: a copy
        int outer = 1, n = 1, inner = 1, count = 0;
        for (int i = 0; i < rank; i++)
        {
            int d = x.Dim(i);
            if (i < first) { outer *= d; shape[count++] = d; }
            else if (i <= last) { n *= d; if (keepdims) shape[count++] = 1; }
            else { inner *= d; shape[count++] = d; }
        }
        return (outer, n, inner, count);
    }

    // ---- shape (numpy.py: transpose) ----

    /// <summary>x with its axes permuted (Keras' <c>ops.transpose(x, axes)</c>; null reverses them, as numpy).</summary>
    /// <example><code>var nchw = Ops.Transpose(images, [0, 3, 1, 2]);</code></example>
    public static Tensor Transpose(Tensor x, int[]? axes = null) { Tensor? y = null; return Transpose(x, axes, ref y); }

    /// <summary><see cref="Transpose(Tensor, int[])"/> into <paramref name="output"/> (not x).</summary>
    /// <example><code>Ops.Transpose(w, [1, 0], ref _wT);</code></example>
    public static Tensor Transpose(Tensor x, int[]? axes, ref Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Rank;
        var perm = axes?.Select(a => a < 0 ? a + rank : a).ToArray() ?? Enumerable.Range(0, rank).Reverse().ToArray();
        if (perm.Length != rank || perm.Order().Where((a, i) => a != i).Any())
            throw new ArgumentException($"Ops.Transpose: axes [{string.Join(", ", axes ?? [])}] are not a permutation of the {rank} axes of shape {Tensor.FormatShape(x.Shape)}. Name each axis 0 .. {rank - 1} once.", nameof(axes));
        var shape = perm.Select(a => x.Dim(a)).ToArray();
        var y = Output(ref output, shape, x, "Transpose");
        B.Permute(x, y, perm);
        return y;
    }

    // ---- helpers ----

    [ThreadStatic] private static BackendScratch? t_scratch;
    private static BackendScratch Scratch => t_scratch ??= new BackendScratch();

    /// <summary>output made a tensor of <paramref name="shape"/> (reused when large enough), refusing an input as output.</summary>
    private static Tensor Output(ref Tensor? output, ReadOnlySpan<int> shape, Tensor input, string op, bool inputMayAlias = false)
    {
        if (!inputMayAlias && output is not null && ReferenceEquals(output, input))
            throw new ArgumentException($"Ops.{op}: the output is also an input. Pass another tensor (or null) as output.", nameof(output));
        return Tensor.Ensure(ref output, shape);
    }
}
