using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Views each sample in another shape with the same number of values, as Keras' Reshape: <c>targetShape</c> has
/// no batch axis and may contain one -1 (inferred). The data are not moved.
/// </summary>
/// <example><code>new Reshape([7, 7, 64])</code></example>
public sealed class Reshape : SingleInputLayer, ILayerFromConfig<Reshape>
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Reshape FromConfig(LayerConfig c) => new(LayerAxes.ReadInts(c, "target_shape"), c.Name);

    private Tensor? _y, _dx;
    private int[] _inShape = [];

    public Reshape(int[] targetShape, string? name = null) : base(name)
    {
        if (targetShape.Length == 0 || targetShape.Any(d => d == 0 || d < -1) || targetShape.Count(d => d == -1) > 1)
            throw new ArgumentException($"Reshape '{Name}': target shape ({string.Join(", ", targetShape)}) must be positive sizes with at most one -1.");
        TargetShape = targetShape.ToArray();
    }

    /// <summary>The per-sample shape, possibly with one -1.</summary>
    public int[] TargetShape { get; }

    protected override int[] OutputShape(int[] input)
    {
        int size = Tensor.Product(input), known = TargetShape.Where(d => d > 0).Aggregate(1, (a, b) => a * b);
        bool infer = TargetShape.Contains(-1);
        if (infer ? known == 0 || size % known != 0 : known != size)
            throw new ArgumentException($"Reshape '{Name}': inputs of shape (None, {string.Join(", ", input)}) ({size} values per sample) cannot be viewed as (None, {string.Join(", ", TargetShape)}).");
        return TargetShape.Select(d => d == -1 ? size / known : d).ToArray();
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _inShape = x.ShapeArray;
        return Tensor.View(ref _y, x, [x.Dim(0), .. OutputShape(x.ShapeArray[1..])]);
    }

    public override void Backward(Tensor dy, bool needInputGradients) =>
        InputGradient = needInputGradients ? Tensor.View(ref _dx, dy, _inShape) : null;

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["target_shape"] = TargetShape;
        return c;
    }
}
