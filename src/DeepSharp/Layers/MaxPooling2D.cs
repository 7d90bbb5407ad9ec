using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Keeps the largest value of each window, per channel. Strides default to the pool size.</summary>
/// <example><code>new MaxPooling2D((2, 2))   // or new MaxPooling2D(2)</code></example>
public sealed class MaxPooling2D : Pooling2D, ILayerFromConfig<MaxPooling2D>
{
    /// <summary>Rebuilds the layer from its Keras config (strides default to the pool size).</summary>
    public static MaxPooling2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        var pool = c.Pair("pool_size", (2, 2));
        if (ReadExplicitPadding(c) is { } explicitPadding)
            return new MaxPooling2D(pool, c.Has("strides") ? c.Pair("strides", pool) : null, explicitPadding, c.Name);
        return new MaxPooling2D(pool, c.Has("strides") ? c.Pair("strides", pool) : null, c.String("padding", "valid")!, c.Name);
    }

    private int[] _argmax = [];

    /// <summary>Whether _argmax belongs to the last forward pass (inference skips it; Backward then recomputes it).</summary>
    private bool _argmaxValid;

    /// <param name="poolSize">The window: an int for a square window, or (height, width); default 2.</param>
    /// <param name="strides">The step; default the pool size.</param>
    /// <param name="padding">"valid" (default) or "same", or <see cref="DeepSharp.Padding"/>.</param>
    /// <param name="name">The layer's name; generated when null.</param>
    public MaxPooling2D(IntPair? poolSize = null, IntPair? strides = null, PaddingOption padding = default, string? name = null)
        : base(poolSize ?? (2, 2), strides, padding, name) { }

    /// <summary>Explicit padding ((top, bottom), (left, right)), as ONNX and PyTorch pad (not a Keras option).</summary>
    public MaxPooling2D((int H, int W) poolSize, (int H, int W)? strides, ((int Top, int Bottom) H, (int Left, int Right) W) padding, string? name = null)
        : base(poolSize, strides, padding, name) { }

    public override Tensor Forward(Tensor x, bool training)
    {
        Prepare(x);
        if (!training && Backend.Current.MaxPoolSkipsWinnersInInference)
        {
            // Inference keeps no winner indices (MNIST inference, batch 256, 2 AVX2 threads: 0.96 of the time, median
            // of 16 alternated rounds; within noise on one thread); a backward pass after it (Grad-CAM, filter
            // visualization) recomputes them from the input.
            Backend.Current.MaxPool(x, Y!, null, G);
            _argmaxValid = false;
            return Y!;
        }
        if (_argmax.Length < Y!.Size) _argmax = new int[Y.Size];
        Backend.Current.MaxPool(x, Y, _argmax, G);
        _argmaxValid = true;
        return Y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref DX, X!.Shape);
        FindWinners();
        Backend.Current.MaxPoolBackward(dy, _argmax, DX!, G);
        InputGradient = DX;
    }

    /// <summary>
    /// This backward pass left unscattered, for the convolution before to take directly (the named fusion
    /// <see cref="FusionPattern.ConvThenMaxPool"/>, <see cref="Conv2D.TryBackwardThroughMaxPool"/>); null when the windows overlap.
    /// </summary>
    internal MaxPoolGradient? UnscatteredGradient(Tensor dy)
    {
        if (!MaxPoolGradient.Applies(G)) return null;
        FindWinners();
        return new MaxPoolGradient(dy, _argmax, Y!, G);
    }

    /// <summary>After an inference forward (no winners kept), finds them from the input.</summary>
    private void FindWinners()
    {
        if (_argmaxValid) return;
        if (_argmax.Length < Y!.Size) _argmax = new int[Y.Size];
        Backend.Current.MaxPool(X!, Y!, _argmax, G);   // the same values again, now with the winners
        _argmaxValid = true;
    }
}
