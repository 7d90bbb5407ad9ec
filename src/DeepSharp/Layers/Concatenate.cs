using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Joins its inputs along <c>axis</c> (Keras counts the batch axis: -1 is the channels of NHWC images).
/// All other axes must agree.
/// </summary>
/// <example><code>var merged = new Concatenate().Call(branchA, branchB);   // (h, w, ca + cb)</code></example>
public sealed class Concatenate(int axis = -1, string? name = null) : Layer(name), ILayerFromConfig<Concatenate>
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Concatenate FromConfig(LayerConfig c) => new(c.Int("axis", -1), c.Name);

    private Tensor? _y;
    private Tensor?[] _dx = [];
    private Tensor[] _x = [];
    private int _axis;

    /// <summary>The axis, counting the batch axis (Keras' convention); negative counts from the end.</summary>
    public int Axis { get; } = axis;

    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count < 2)
            throw new ArgumentException($"Concatenate '{Name}' needs at least two inputs, got {inputShapes.Count}.");
        var first = inputShapes[0];
        int a = LayerAxes.Resolve(Axis, first.Length, Name, ClassName);
        var result = first.ToArray();
        for (int i = 1; i < inputShapes.Count; i++)
        {
            var s = inputShapes[i];
            bool ok = s.Length == first.Length;
            for (int k = 0; ok && k < s.Length; k++) ok = k == a - 1 || s[k] == first[k];
            if (!ok)
                throw new ArgumentException($"Concatenate '{Name}': input {i} has shape (None, {string.Join(", ", s)}) but input 0 has (None, {string.Join(", ", first)}); only axis {Axis} may differ.");
            result[a - 1] += s[a - 1];
        }
        return result;
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (InputGradients.Length != inputs.Count) { InputGradients = new Tensor?[inputs.Count]; _dx = new Tensor?[inputs.Count]; _x = new Tensor[inputs.Count]; }
        _axis = LayerAxes.Resolve(Axis, inputs[0].Rank - 1, Name, ClassName);
        var shape = inputs[0].ShapeArray.ToArray();
        shape[_axis] = inputs.Sum(x => x.Dim(_axis));
        Tensor.Ensure(ref _y, shape);
        Backend.Current.Concat(inputs, _y!, _axis);
        for (int i = 0; i < inputs.Count; i++) _x[i] = inputs[i];
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        int start = 0;
        for (int i = 0; i < _dx.Length; i++)
        {
            InputGradients[i] = null;
            if (!needInputGradients) continue;
            Tensor.Ensure(ref _dx[i], _x[i].Shape);
            Backend.Current.Slice(dy, _dx[i]!, _axis, start);
            start += _dx[i]!.Dim(_axis);
            InputGradients[i] = _dx[i];
        }
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
