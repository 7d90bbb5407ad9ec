using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Reorders the axes of each sample, as Keras' Permute: <c>dims</c> numbers the sample's axes from 1 (the batch
/// axis stays first). <c>new Permute([3, 1, 2])</c> turns NHWC images into NCHW.
/// </summary>
/// <example><code>var chw = new Permute([3, 1, 2]).Call(image);</code></example>
public sealed class Permute : SingleInputLayer, ILayerFromConfig<Permute>
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Permute FromConfig(LayerConfig c) => new(LayerAxes.ReadInts(c, "dims"), c.Name);

    private readonly int[] _perm, _inverse;
    private Tensor? _y, _dx;

    public Permute(int[] dims, string? name = null) : base(name)
    {
        if (dims.Length == 0 || !dims.Order().SequenceEqual(Enumerable.Range(1, dims.Length)))
            throw new ArgumentException($"Permute '{Name}': dims ({string.Join(", ", dims)}) must be a permutation of 1 … {dims.Length} (axis 0, the batch, cannot move).");
        Dims = dims.ToArray();
        _perm = [0, .. dims];
        _inverse = new int[_perm.Length];
        for (int k = 0; k < _perm.Length; k++) _inverse[_perm[k]] = k;
    }

    /// <summary>The new order of the sample's axes, numbered from 1.</summary>
    public int[] Dims { get; }

    protected override int[] OutputShape(int[] input)
    {
        if (input.Length != Dims.Length)
            throw new ArgumentException($"Permute '{Name}' reorders {Dims.Length} axes but got input (None, {string.Join(", ", input)}).");
        return Dims.Select(d => input[d - 1]).ToArray();
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var shape = new int[x.Rank];
        for (int k = 0; k < shape.Length; k++) shape[k] = x.Dim(_perm[k]);
        Tensor.Ensure(ref _y, shape);
        Backend.Current.Permute(x, _y!, _perm);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        var shape = new int[dy.Rank];
        for (int k = 0; k < shape.Length; k++) shape[k] = dy.Dim(_inverse[k]);
        Tensor.Ensure(ref _dx, shape);
        Backend.Current.Permute(dy, _dx!, _inverse);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["dims"] = Dims;
        return c;
    }
}
