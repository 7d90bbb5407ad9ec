using DeepSharp.Backends;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// In training, flips each image with probability 1/2 (Keras: <c>layers.RandomFlip</c>): <c>mode</c> "horizontal" (left
/// to right), "vertical" (top to bottom) or "horizontal_and_vertical" (the default: both axes, decided by the same draw,
/// as Keras 3 does). In inference it passes its input through.
/// </summary>
/// <remarks>Follows keras/src/layers/preprocessing/image_preprocessing/random_flip.py: one draw per image, flip when it is ≤ 0.5.</remarks>
/// <example><code>var augmentation = new Sequential(new RandomFlip("horizontal", inputShape: (180, 180, 3)), new RandomRotation(0.1), new RandomZoom(0.2));</code></example>
public sealed class RandomFlip : SingleInputLayer, ILayerFromConfig<RandomFlip>
{
    private readonly System.Random _random;
    private readonly AffineAugmentation _affine;

    public RandomFlip(string mode = "horizontal_and_vertical", int? seed = null, (int H, int W, int C)? inputShape = null, string? name = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        if (mode is not ("horizontal" or "vertical" or "horizontal_and_vertical"))
            throw new ArgumentException($"RandomFlip '{Name}': mode \"{mode}\" is not supported; expected \"horizontal\", \"vertical\" or \"horizontal_and_vertical\".", nameof(mode));
        Mode = mode;
        Seed = seed;
        _random = ImagePreprocessing.Random(seed);
        _affine = new AffineAugmentation(this, ImageFill.Nearest, nearest: true, 0f);   // a flip reads whole pixels
    }

    /// <summary>"horizontal", "vertical" or "horizontal_and_vertical".</summary>
    public string Mode { get; }

    /// <summary>The seed given to the constructor (null: drawn from the global <see cref="Rng"/>).</summary>
    public int? Seed { get; }

    protected override int[] OutputShape(int[] input)
    {
        ImagePreprocessing.ExpectImages(this, input);
        return input;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        if (!training) return _affine.Skip(x);
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2);
        var m = _affine.Matrices(n);
        bool horizontal = Mode != "vertical", vertical = Mode != "horizontal";
        for (int i = 0; i < n; i++)
        {
            bool flip = _random.NextDouble() <= 0.5;
            var t = m.Slice(i * 6, 6);
            t.Clear();
            // Output (row r, col q) reads column w-1-q and/or row h-1-r.
            (t[0], t[2]) = flip && horizontal ? (-1f, w - 1f) : (1f, 0f);
            (t[4], t[5]) = flip && vertical ? (-1f, h - 1f) : (1f, 0f);
        }
        return _affine.Apply(x);
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (needInputGradients) InputGradient = _affine.Backward(dy);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["seed"] = Seed;
        c["mode"] = Mode;
        ImagePreprocessing.AddDataFormat(c);
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static RandomFlip FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new(c.String("mode", "horizontal_and_vertical")!, c.Has("seed") ? c.Int("seed", 0) : null, name: c.Name);
    }
}
