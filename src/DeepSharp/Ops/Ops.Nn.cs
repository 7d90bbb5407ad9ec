using DeepSharp.Backends.Cpu;
using DeepSharp.Layers;

namespace DeepSharp;

// Keras 3's keras/src/ops/nn.py (conv, relu, sigmoid, tanh, softmax) and numpy.py (matmul): names in .NET casing,
// channels-last images, kernels (kh, kw, in, out).
public static partial class Ops
{
    // ---- convolution ----

    /// <summary>
    /// The 2-D convolution of images (N, H, W, C) with a kernel (kh, kw, C, F) (Keras' <c>ops.conv</c>, channels-last):
    /// (N, outH, outW, F). "valid" keeps whole windows, "same" gives ⌈H / stride⌉ rows (Keras' padding rules).
    /// </summary>
    /// <example><code>var features = Ops.Conv2D(images, kernel, strides: 1, padding: "same");</code></example>
    public static Tensor Conv2D(Tensor inputs, Tensor kernel, IntPair? strides = null, PaddingOption padding = default)
    { Tensor? y = null; return Conv2D(inputs, kernel, strides, padding, ref y); }

    /// <summary><see cref="Conv2D(Tensor, Tensor, IntPair?, PaddingOption)"/> into <paramref name="output"/> (not an input).</summary>
    /// <example><code>Ops.Conv2D(x, kernel, 1, "same", ref _y);</code></example>
    public static Tensor Conv2D(Tensor inputs, Tensor kernel, IntPair? strides, PaddingOption padding, ref Tensor? output)
    {
        var g = Geometry("Ops.Conv2D", inputs, kernel, strides, padding);
        if (ReferenceEquals(output, kernel)) throw new ArgumentException("Ops.Conv2D: the output is also the kernel. Pass another tensor (or null) as output.", nameof(output));
        var y = Output(ref output, [g.Batch, g.OutH, g.OutW, kernel.Dim(3)], inputs, "Conv2D");
        B.Conv2D(inputs, kernel, null, y, g, relu: false, Scratch);
        return y;
    }

    /// <summary>
    /// The gradient of a loss with respect to the images of <see cref="Conv2D(Tensor, Tensor, IntPair?, PaddingOption)"/>,
    /// from dy = dLoss/dy (N, outH, outW, F): dx (N, H, W, C), the transposed convolution of dy with the kernel.
    /// <paramref name="inputShape"/> is the images' shape (N, H, W, C) (with strides several sizes give one output size).
    /// </summary>
    /// <example><code>var dx = Ops.Conv2DInputGradient(dy, kernel, x.Shape.ToArray(), strides: 1, padding: "same");</code></example>
    public static Tensor Conv2DInputGradient(Tensor dy, Tensor kernel, int[] inputShape, IntPair? strides = null, PaddingOption padding = default)
    { Tensor? dx = null; return Conv2DInputGradient(dy, kernel, inputShape, strides, padding, ref dx); }

    /// <summary><see cref="Conv2DInputGradient(Tensor, Tensor, int[], IntPair?, PaddingOption)"/> into <paramref name="output"/> (not an input).</summary>
    /// <example><code>Ops.Conv2DInputGradient(dy, kernel, _xShape, 1, "same", ref _dx);</code></example>
    public static Tensor Conv2DInputGradient(Tensor dy, Tensor kernel, int[] inputShape, IntPair? strides, PaddingOption padding, ref Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length != 4)
            throw new ArgumentException($"Ops.Conv2DInputGradient: inputShape {Tensor.FormatShape(inputShape)} is not (N, H, W, C). Pass the images' shape.", nameof(inputShape));
        ArgumentNullException.ThrowIfNull(kernel);
        var g = Geometry("Ops.Conv2DInputGradient", inputShape, kernel.Shape, strides, padding);
        CheckGradient("Conv2DInputGradient", dy, [g.Batch, g.OutH, g.OutW, kernel.Dim(3)]);
        if (ReferenceEquals(output, kernel)) throw new ArgumentException("Ops.Conv2DInputGradient: the output is also the kernel. Pass another tensor (or null) as output.", nameof(output));
        var dx = Output(ref output, inputShape, dy, "Conv2DInputGradient");
        B.Conv2DBackward(dx, kernel, dy, dy, relu: false, dx, null, null, g, Scratch);   // x and y are not read for dx alone
        return dx;
    }

    /// <summary>
    /// The gradient of a loss with respect to the kernel of <see cref="Conv2D(Tensor, Tensor, IntPair?, PaddingOption)"/>,
    /// from the images x (N, H, W, C) and dy = dLoss/dy (N, outH, outW, F): dKernel (kh, kw, C, F), summed over the batch.
    /// </summary>
    /// <example><code>var dKernel = Ops.Conv2DKernelGradient(x, dy, kernelSize: (3, 3), padding: "same");</code></example>
    public static Tensor Conv2DKernelGradient(Tensor inputs, Tensor dy, IntPair kernelSize, IntPair? strides = null, PaddingOption padding = default)
    { Tensor? dk = null; return Conv2DKernelGradient(inputs, dy, kernelSize, strides, padding, ref dk); }

    /// <summary><see cref="Conv2DKernelGradient(Tensor, Tensor, IntPair, IntPair?, PaddingOption)"/> into <paramref name="output"/> (not an input).</summary>
    /// <example><code>Ops.Conv2DKernelGradient(x, dy, (3, 3), 1, "same", ref _dKernel);</code></example>
    public static Tensor Conv2DKernelGradient(Tensor inputs, Tensor dy, IntPair kernelSize, IntPair? strides, PaddingOption padding, ref Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(dy);
        if (dy.Rank != 4)
            throw new ArgumentException($"Ops.Conv2DKernelGradient: dy has shape {Tensor.FormatShape(dy.Shape)}, not (N, outH, outW, F). Pass the gradient of the convolution's output.", nameof(dy));
        int[] kernelShape = [kernelSize.H, kernelSize.W, inputs.Rank == 4 ? inputs.Dim(3) : 0, dy.Dim(3)];
        var g = Geometry("Ops.Conv2DKernelGradient", inputs.Shape, kernelShape, strides, padding);
        CheckGradient("Conv2DKernelGradient", dy, [g.Batch, g.OutH, g.OutW, kernelShape[3]]);
        if (ReferenceEquals(output, dy)) throw new ArgumentException("Ops.Conv2DKernelGradient: the output is also dy. Pass another tensor (or null) as output.", nameof(output));
        var dk = Output(ref output, kernelShape, inputs, "Conv2DKernelGradient");
        B.Conv2DBackward(inputs, dk, dy, dy, relu: false, null, dk, null, g, Scratch);   // the kernel's values are not read for dKernel
        return dk;
    }

    private static ConvGeometry Geometry(string op, Tensor inputs, Tensor kernel, IntPair? strides, PaddingOption padding)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(kernel);
        return Geometry(op, inputs.Shape, kernel.Shape, strides, padding);
    }

    /// <summary>The geometry of a convolution; <paramref name="op"/> is the full name ("Ops.Conv2D") errors give.</summary>
    private static ConvGeometry Geometry(string op, ReadOnlySpan<int> x, ReadOnlySpan<int> k, IntPair? strides, PaddingOption padding)
    {
        if (x.Length != 4)
            throw new ArgumentException($"{op}: the images have shape {Tensor.FormatShape(x)}, not (N, H, W, C). Add the batch axis (Reshape to (1, H, W, C)) for one image.", "inputs");
        if (k.Length != 4 || k[2] != x[3])
            throw new ArgumentException($"{op}: the kernel has shape {Tensor.FormatShape(k)}, not (kh, kw, {x[3]}, filters) for images of {x[3]} channels. Keras' kernels are (kh, kw, in, out).", "kernel");
        var s = strides ?? 1;
        if (s.H < 1 || s.W < 1)
            throw new ArgumentOutOfRangeException(nameof(strides), $"{op}: strides ({s.H}, {s.W}) must be 1 or more.");
        var g = ConvGeometry.Create(x[0], x[1], x[2], x[3], k[0], k[1], s.H, s.W, padding.Resolve(op));
        if (g.OutH < 1 || g.OutW < 1)
            throw new ArgumentException($"{op}: a {k[0]}×{k[1]} kernel does not fit images of {x[1]}×{x[2]} with \"valid\" padding. Use padding \"same\" or larger images.", "kernel");
        return g;
    }

    private static void CheckGradient(string op, Tensor dy, ReadOnlySpan<int> expected)
    {
        ArgumentNullException.ThrowIfNull(dy);
        if (!dy.Shape.SequenceEqual(expected))
            throw new ArgumentException($"Ops.{op}: dy has shape {Tensor.FormatShape(dy.Shape)} but the convolution's output has {Tensor.FormatShape(expected)}. Pass dLoss/dy of that convolution (same strides and padding).", nameof(dy));
    }

    // ---- matmul ----

    /// <summary>
    /// The matrix product of a (M, K) and b (K, N): (M, N) (Keras' <c>ops.matmul</c> on 2-D tensors). With
    /// <paramref name="transposeA"/> a is read as its transpose (a (K, M): Aᵀ·B, a weight gradient xᵀ·dy); with
    /// <paramref name="transposeB"/> b is (N, K) (A·Bᵀ, an input gradient dy·Wᵀ). Not both at once: (B·A)ᵀ is the same.
    /// </summary>
    /// <example><code>var logits = Ops.MatMul(x, w);                       // (batch, in) · (in, out)
    /// var dW = Ops.MatMul(x, dy, transposeA: true);          // xᵀ · dy
    /// var dx = Ops.MatMul(dy, w, transposeB: true);          // dy · Wᵀ</code></example>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    { Tensor? y = null; return MatMul(a, b, ref y, transposeA, transposeB); }

    /// <summary><see cref="MatMul(Tensor, Tensor, bool, bool)"/> into <paramref name="output"/> (not an input).</summary>
    /// <example><code>Ops.MatMul(x, dz, ref _dW, transposeA: true);</code></example>
    public static Tensor MatMul(Tensor a, Tensor b, ref Tensor? output, bool transposeA = false, bool transposeB = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 2 || b.Rank != 2)
            throw new ArgumentException($"Ops.MatMul multiplies 2-D tensors, got {Tensor.FormatShape(a.Shape)} and {Tensor.FormatShape(b.Shape)}. Reshape to (rows, columns) first (Flatten images: Reshape(n, -1)).", a.Rank != 2 ? nameof(a) : nameof(b));
        if (transposeA && transposeB)
            throw new ArgumentException("Ops.MatMul: transposeA and transposeB together are not supported. Aᵀ·Bᵀ = (B·A)ᵀ: use Transpose(MatMul(b, a)).", nameof(transposeB));
        int m = transposeA ? a.Dim(1) : a.Dim(0), k = transposeA ? a.Dim(0) : a.Dim(1);
        int kb = transposeB ? b.Dim(1) : b.Dim(0), n = transposeB ? b.Dim(0) : b.Dim(1);
        if (k != kb)
            throw new ArgumentException($"Ops.MatMul: {(transposeA ? "aᵀ" : "a")} is ({m}, {k}) but {(transposeB ? "bᵀ" : "b")} is ({kb}, {n}): the inner sizes differ.", nameof(b));
        if (ReferenceEquals(output, b)) throw new ArgumentException("Ops.MatMul: the output is also an input. Pass another tensor (or null) as output.", nameof(output));
        var y = Output(ref output, [m, n], a, "MatMul");
        if (transposeA) B.DenseBackward(a, y, b, b, relu: false, null, y, null, Scratch);        // dKernel = xᵀ·dy (the kernel's values unread)
        else if (transposeB) B.DenseBackward(a, b, a, a, relu: false, y, null, null, Scratch);   // dx = dy·kernelᵀ (x unread)
        else B.Dense(a, b, null, y, relu: false);
        return y;
    }

    // ---- activations (nn.py: relu, sigmoid, tanh, softmax) and their gradients ----

    /// <summary>max(x, 0), elementwise (Keras' <c>ops.relu</c>).</summary>
    /// <example><code>var y = Ops.Relu(Ops.Conv2D(x, kernel));</code></example>
    public static Tensor Relu(Tensor x) { Tensor? y = null; return Relu(x, ref y); }

    /// <summary><see cref="Relu(Tensor)"/> into <paramref name="output"/> (x itself is allowed: in place).</summary>
    /// <example><code>Ops.Relu(_y, ref _y);   // in place</code></example>
    public static Tensor Relu(Tensor x, ref Tensor? output) => Activate(ActivationKind.Relu, x, ref output);

    /// <summary>1 / (1 + e^-x), elementwise (Keras' <c>ops.sigmoid</c>).</summary>
    /// <example><code>var gate = Ops.Sigmoid(x);</code></example>
    public static Tensor Sigmoid(Tensor x) { Tensor? y = null; return Sigmoid(x, ref y); }

    /// <summary><see cref="Sigmoid(Tensor)"/> into <paramref name="output"/> (x itself is allowed).</summary>
    /// <example><code>Ops.Sigmoid(x, ref _gate);</code></example>
    public static Tensor Sigmoid(Tensor x, ref Tensor? output) => Activate(ActivationKind.Sigmoid, x, ref output);

    /// <summary>tanh(x), elementwise (Keras' <c>ops.tanh</c>).</summary>
    /// <example><code>var h = Ops.Tanh(x);</code></example>
    public static Tensor Tanh(Tensor x) { Tensor? y = null; return Tanh(x, ref y); }

    /// <summary><see cref="Tanh(Tensor)"/> into <paramref name="output"/> (x itself is allowed).</summary>
    /// <example><code>Ops.Tanh(x, ref _h);</code></example>
    public static Tensor Tanh(Tensor x, ref Tensor? output) => Activate(ActivationKind.Tanh, x, ref output);

    /// <summary>The softmax over <paramref name="axis"/> (default the last; Keras' <c>ops.softmax(x, axis=-1)</c>).</summary>
    /// <example><code>var probabilities = Ops.Softmax(logits);</code></example>
    public static Tensor Softmax(Tensor x, int axis = -1) { Tensor? y = null; return Softmax(x, axis, ref y); }

    /// <summary><see cref="Softmax(Tensor, int)"/> into <paramref name="output"/> (not x).</summary>
    /// <example><code>Ops.Softmax(logits, -1, ref _probabilities);</code></example>
    public static Tensor Softmax(Tensor x, int axis, ref Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = Axis("Softmax", x, axis);
        var y = Output(ref output, x.Shape, x, "Softmax");
        B.Softmax(x, y, a);
        return y;
    }

    /// <summary>dLoss/dx of y = relu(x) from its output y and dy = dLoss/dy: dy where y &gt; 0, else 0.</summary>
    /// <example><code>var dz = Ops.ReluGradient(y, dy);</code></example>
    public static Tensor ReluGradient(Tensor outputs, Tensor dy) { Tensor? dx = null; return ReluGradient(outputs, dy, ref dx); }

    /// <summary><see cref="ReluGradient(Tensor, Tensor)"/> into <paramref name="output"/> (dy itself is allowed: in place).</summary>
    /// <example><code>Ops.ReluGradient(_y, dy, ref _dz);</code></example>
    public static Tensor ReluGradient(Tensor outputs, Tensor dy, ref Tensor? output) => ActivationGradient(ActivationKind.Relu, outputs, dy, ref output);

    /// <summary>dLoss/dx of y = sigmoid(x) from y and dy: dy ⊙ y ⊙ (1 - y).</summary>
    /// <example><code>var dz = Ops.SigmoidGradient(y, dy);</code></example>
    public static Tensor SigmoidGradient(Tensor outputs, Tensor dy) { Tensor? dx = null; return SigmoidGradient(outputs, dy, ref dx); }

    /// <summary><see cref="SigmoidGradient(Tensor, Tensor)"/> into <paramref name="output"/> (dy itself is allowed).</summary>
    /// <example><code>Ops.SigmoidGradient(_y, dy, ref _dz);</code></example>
    public static Tensor SigmoidGradient(Tensor outputs, Tensor dy, ref Tensor? output) => ActivationGradient(ActivationKind.Sigmoid, outputs, dy, ref output);

    /// <summary>dLoss/dx of y = tanh(x) from y and dy: dy ⊙ (1 - y²).</summary>
    /// <example><code>var dz = Ops.TanhGradient(y, dy);</code></example>
    public static Tensor TanhGradient(Tensor outputs, Tensor dy) { Tensor? dx = null; return TanhGradient(outputs, dy, ref dx); }

    /// <summary><see cref="TanhGradient(Tensor, Tensor)"/> into <paramref name="output"/> (dy itself is allowed).</summary>
    /// <example><code>Ops.TanhGradient(_y, dy, ref _dz);</code></example>
    public static Tensor TanhGradient(Tensor outputs, Tensor dy, ref Tensor? output) => ActivationGradient(ActivationKind.Tanh, outputs, dy, ref output);

    /// <summary>dLoss/dx of y = softmax(x) over <paramref name="axis"/> from y and dy: y ⊙ (dy - Σ dy ⊙ y).</summary>
    /// <example><code>var dLogits = Ops.SoftmaxGradient(probabilities, dy);</code></example>
    public static Tensor SoftmaxGradient(Tensor outputs, Tensor dy, int axis = -1) { Tensor? dx = null; return SoftmaxGradient(outputs, dy, axis, ref dx); }

    /// <summary><see cref="SoftmaxGradient(Tensor, Tensor, int)"/> into <paramref name="output"/> (not an input).</summary>
    /// <example><code>Ops.SoftmaxGradient(_y, dy, -1, ref _dx);</code></example>
    public static Tensor SoftmaxGradient(Tensor outputs, Tensor dy, int axis, ref Tensor? output)
    {
        SameShape("SoftmaxGradient", outputs, dy);
        int a = Axis("SoftmaxGradient", outputs, axis);
        if (ReferenceEquals(output, dy)) throw new ArgumentException("Ops.SoftmaxGradient: the output is also dy. Pass another tensor (or null) as output.", nameof(output));
        var dx = Output(ref output, outputs.Shape, outputs, "SoftmaxGradient");
        B.SoftmaxBackward(outputs, dy, dx, a);
        return dx;
    }

    private static Tensor Activate(ActivationKind kind, Tensor x, ref Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Output(ref output, x.Shape, x, Name(kind), inputMayAlias: true);
        B.Activation(kind, x, y);
        return y;
    }

    private static Tensor ActivationGradient(ActivationKind kind, Tensor outputs, Tensor dy, ref Tensor? output)
    {
        string op = kind switch { ActivationKind.Relu => "ReluGradient", ActivationKind.Sigmoid => "SigmoidGradient", _ => "TanhGradient" };
        SameShape(op, outputs, dy);
        var dx = Output(ref output, dy.Shape, outputs, op);   // dy may be the output (in place)
        B.ActivationBackward(kind, outputs, outputs, dy, dx);   // relu, sigmoid and tanh read their output only
        return dx;
    }

    private static string Name(ActivationKind kind) => kind switch
    {
        ActivationKind.Relu => "Relu",
        ActivationKind.Sigmoid => "Sigmoid",
        ActivationKind.Tanh => "Tanh",
        _ => "Softmax",
    };

    private static void SameShape(string op, Tensor outputs, Tensor dy)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(dy);
        if (!outputs.Shape.SequenceEqual(dy.Shape))
            throw new ArgumentException($"Ops.{op}: dy has shape {Tensor.FormatShape(dy.Shape)} but the outputs have {Tensor.FormatShape(outputs.Shape)}. Pass dLoss/dy for these outputs.", nameof(dy));
    }

    private static int Axis(string op, Tensor x, int axis)
    {
        int a = axis < 0 ? axis + x.Rank : axis;
        if (a < 0 || a >= x.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"Ops.{op}: axis {axis} is outside a tensor of rank {x.Rank} (shape {Tensor.FormatShape(x.Shape)}).");
        return a;
    }
}
