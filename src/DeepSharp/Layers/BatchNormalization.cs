using DeepSharp.Backends;
using DeepSharp.Initializers;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Normalizes each channel (last axis) with the batch's statistics during training and with moving
/// averages at inference, then scales by gamma and shifts by beta. Keras defaults: momentum 0.99, epsilon 1e-3.
/// A frozen (non-trainable) BatchNormalization runs in inference mode, as in Keras 2.1+ fine-tuning: it never updates
/// its moving statistics and computes no weight gradients. A trainable one run in inference mode (a model called with
/// <c>Call(x, training: false)</c>, Keras' transfer-learning recipe) keeps its moving statistics fixed but still trains
/// gamma and beta.
/// </summary>
/// <example><code>new BatchNormalization()</code></example>
public sealed class BatchNormalization : SingleInputLayer, ILayerFromConfig<BatchNormalization>
{
    private Parameter? _gamma, _beta, _movingMean, _movingVar;
    private Tensor? _x, _y, _dx;
    private float[] _mean = [], _invStd = [];
    private bool _trainingMode;

    public BatchNormalization(double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true, string? name = null,
        bool synchronized = false)
        : base(name)
    {
        Synchronized = synchronized;
        if (!double.IsFinite(momentum)) throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNormalization '{Name}': momentum must be a finite number, got {momentum}.");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"BatchNormalization '{Name}': epsilon must be a finite number ≥ 0, got {epsilon}.");
        Momentum = (float)momentum;
        Epsilon = (float)epsilon;
        Center = center;
        Scale = scale;
    }

    public float Momentum { get; }
    public float Epsilon { get; }
    public bool Center { get; }
    public bool Scale { get; }

    /// <summary>
    /// Keras 3's <c>synchronized</c>: in a world of several ranks (DeepSharp.Distributed), training uses the mean and
    /// variance of the whole global batch (summed over the ranks at every step) instead of each rank's share. Off by
    /// default, as in Keras: each rank normalizes with its own share's statistics, and Fit averages the moving
    /// statistics over the ranks at the end of every epoch. No effect in a world of one.
    /// </summary>
    public bool Synchronized { get; }

    protected override int[] OutputShape(int[] input) => input;

    protected override void Build(int[] input)
    {
        int c = input[^1];
        _gamma = AddWeight("gamma", [c], new Constant(1f), trainable: Scale);
        _beta = AddWeight("beta", [c], new Constant(0f), trainable: Center);
        _movingMean = AddWeight("moving_mean", [c], new Constant(0f), trainable: false);
        _movingVar = AddWeight("moving_variance", [c], new Constant(1f), trainable: false);
        _mean = new float[c];
        _invStd = new float[c];
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, x.Shape);
        _trainingMode = training && Trainable;
        if (_trainingMode)
            Backend.Current.BatchNormTraining(x, _gamma!.Value, _beta!.Value, _movingMean!.Value, _movingVar!.Value, Momentum, Epsilon, _y!, _mean, _invStd,
                Synchronized ? Worlds.World.Current : null);
        else
            Backend.Current.BatchNormInference(x, _gamma!.Value, _beta!.Value, _movingMean!.Value, _movingVar!.Value, Epsilon, _y!, _mean, _invStd);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        if (needInputGradients) Tensor.Ensure(ref _dx, dy.Shape);
        if (_trainingMode)
            Backend.Current.BatchNormBackward(_x!, _gamma!.Value, _mean, _invStd, dy, needInputGradients ? _dx : null,
                Scale && ComputeWeightGradients ? _gamma.Grad : null, Center && ComputeWeightGradients ? _beta!.Grad : null,
                Synchronized ? Worlds.World.Current : null);
        else if (ComputeWeightGradients && (Scale || Center))
            // Called in inference mode but trainable (Keras' base(x, training: false), then unfrozen): the moving
            // statistics stay fixed, gamma and beta still learn.
            Backend.Current.BatchNormBackwardInference(_x!, _gamma!.Value, _mean, _invStd, dy, needInputGradients ? _dx : null,
                Scale ? _gamma.Grad : null, Center ? _beta!.Grad : null);
        else if (needInputGradients)
            Backend.Current.BatchNormBackwardInference(_x!, _gamma!.Value, _mean, _invStd, dy, _dx!, null, null);
        InputGradient = needInputGradients ? _dx : null;
    }

    /// <summary>Keras creates no gamma without scale and no beta without center: gamma, beta, moving_mean, moving_variance.</summary>
    internal override IReadOnlyList<Parameter> KerasWeights =>
        Parameters.Where(p => !(p.Name == "gamma" && !Scale) && !(p.Name == "beta" && !Center)).ToList();

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["momentum"] = Momentum;
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        c["synchronized"] = Synchronized;
        c["axis"] = -1;
        c["beta_initializer"] = new Constant(0f).ToKerasConfig();
        c["gamma_initializer"] = new Constant(1f).ToKerasConfig();
        c["moving_mean_initializer"] = new Constant(0f).ToKerasConfig();
        c["moving_variance_initializer"] = new Constant(1f).ToKerasConfig();
        return c;
    }

    /// <summary>Rebuilds a BatchNormalization from its Keras config; only the channel axis (-1 or 3) is supported.</summary>
    public static BatchNormalization FromConfig(LayerConfig c)
    {
        int axis = c.Has("axis") && c.Json["axis"] is System.Text.Json.Nodes.JsonValue ? c.Int("axis", -1) : -1;
        if (axis != -1 && axis != 3)
            throw new NotSupportedException($"BatchNormalization '{c.Name}': axis {axis} is not supported; DeepSharp normalizes the channel axis (-1).");
        return new BatchNormalization(c.Float("momentum", 0.99f), c.Float("epsilon", 1e-3f), c.Bool("center", true), c.Bool("scale", true), c.Name,
            c.Bool("synchronized", false));
    }
}
