using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Keeps the range [start, stop) of one axis (counting the batch axis, as in Keras): e.g. the red channel of an
/// NHWC image is <c>new Slice(-1, 0, 1)</c>. ONNX import turns a Split into one Slice per output.
/// </summary>
/// <example><code>var red = new Slice(axis: -1, start: 0, stop: 1).Call(image);</code></example>
public sealed class Slice : SingleInputLayer, ILayerFromConfig<Slice>
{
    /// <summary>Rebuilds the layer from its config.</summary>
    public static Slice FromConfig(LayerConfig c) => new(c.Int("axis", -1), c.Int("start", 0), c.Int("stop", 0), c.Name);

    private Tensor? _x, _y, _dx;
    private int _axis;

    public Slice(int axis, int start, int stop, string? name = null) : base(name)
    {
        if (start < 0 || stop <= start)
            throw new ArgumentOutOfRangeException(nameof(stop), $"Slice '{Name}': the range [{start}, {stop}) is empty or negative.");
        Axis = axis;
        Start = start;
        Stop = stop;
    }

    /// <summary>The axis, counting the batch axis; negative counts from the end.</summary>
    public int Axis { get; }
    public int Start { get; }
    public int Stop { get; }

    protected override int[] OutputShape(int[] input)
    {
        int a = LayerAxes.Resolve(Axis, input.Length, Name, ClassName);
        if (Stop > input[a - 1])
            throw new ArgumentException($"Slice '{Name}': [{Start}, {Stop}) does not fit axis {Axis} of size {input[a - 1]} (input (None, {string.Join(", ", input)})).");
        var s = input.ToArray();
        s[a - 1] = Stop - Start;
        return s;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _axis = LayerAxes.Resolve(Axis, x.Rank - 1, Name, ClassName);
        var shape = x.ShapeArray.ToArray();
        shape[_axis] = Stop - Start;
        Tensor.Ensure(ref _y, shape);
        _x = x;
        Backend.Current.Slice(x, _y!, _axis, Start);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, _x!.Shape);
        Backend.Current.SliceBackward(dy, _dx!, _axis, Start);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        c["start"] = Start;
        c["stop"] = Stop;
        return c;
    }
}
