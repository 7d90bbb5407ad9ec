using DeepSharp.Layers;

namespace DeepSharp.Gradients;

/// <summary>
/// A scalar function of one layer's output (or of the model's output) whose gradient <c>Model.Gradient</c> takes:
/// the mean of one channel (filter visualization), one class score before the final softmax (Grad-CAM), or any
/// linear function given by a seed array (dObjective/dOutput). Per sample; the batch's objective is the sum.
/// </summary>
/// <example><code>
/// Objective.ChannelMean(model.GetLayer("conv2d_1"), channel: 5)   // k_mean(layer_output[,,,6]) in R
/// Objective.ClassScore(386)                                        // the logit of class 386
/// Objective.FromSeed(seed, model.GetLayer("dense"))                // Σ seed ⊙ output
/// </code></example>
public abstract class Objective
{
    private protected Objective(Layer? layer) => Layer = layer;

    /// <summary>The layer whose output the objective reads; null for the model's output.</summary>
    public Layer? Layer { get; }

    /// <summary>True when the objective reads the output layer's pre-activation (softmax/sigmoid logits).</summary>
    internal virtual bool ReadsLogits => false;

    /// <summary>
    /// Fills <paramref name="values"/> with the objective per sample and <paramref name="seed"/> (same shape as
    /// <paramref name="target"/>) with d(sum of objectives)/d(target). <paramref name="layerName"/> names the layer in errors.
    /// </summary>
    internal abstract void Evaluate(Tensor target, Tensor seed, double[] values, string layerName, ActivationKind? activation);

    /// <summary>The mean over all positions of one channel (last axis) of a layer's output.</summary>
    public static Objective ChannelMean(Layer layer, int channel) => new ChannelMeanObjective(layer ?? throw new ArgumentNullException(nameof(layer)), channel);

    /// <summary>
    /// The score of class <paramref name="classIndex"/> at the model's output, taken before the output layer's
    /// softmax or sigmoid (its logit), so it is not squashed by the other classes. For a single-unit sigmoid output
    /// (binary classifier), class 1 is the logit z and class 0 is −z.
    /// </summary>
    public static Objective ClassScore(int classIndex) => new ClassScoreObjective(classIndex);

    /// <summary>Σ seed ⊙ output: <paramref name="seed"/> is dObjective/dOutput, shaped (batch, ...) or one sample's shape (used for every sample).</summary>
    public static Objective FromSeed(Tensor seed, Layer? layer = null) => new SeedObjective(seed ?? throw new ArgumentNullException(nameof(seed)), layer);

    private sealed class ChannelMeanObjective(Layer layer, int channel) : Objective(layer)
    {
        internal override void Evaluate(Tensor target, Tensor seed, double[] values, string layerName, ActivationKind? activation)
        {
            int n = target.Dim(0), c = target.Dim(-1), per = target.Size / n, positions = per / c;
            if (channel < 0 || channel >= c)
                throw new ArgumentOutOfRangeException(nameof(channel), $"Channel {channel} is out of range: layer '{layerName}' has {c} channels (0–{c - 1}).");
            seed.Span.Clear();
            float w = 1f / positions;
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int p = 0; p < positions; p++)
                {
                    int at = i * per + p * c + channel;
                    sum += target.Data[at];
                    seed.Data[at] = w;
                }
                values[i] = sum / positions;
            }
        }
    }

    private sealed class ClassScoreObjective(int classIndex) : Objective(null)
    {
        internal override bool ReadsLogits => true;

        internal override void Evaluate(Tensor target, Tensor seed, double[] values, string layerName, ActivationKind? activation)
        {
            int n = target.Dim(0), c = target.Size / n;
            bool binary = c == 1 && activation == ActivationKind.Sigmoid;
            int classes = binary ? 2 : c;
            if (classIndex < 0 || classIndex >= classes)
                throw new ArgumentOutOfRangeException(nameof(classIndex),
                    $"Class index {classIndex} is out of range: the output layer '{layerName}' has {classes} classes (0–{classes - 1}).");
            seed.Span.Clear();
            int column = binary ? 0 : classIndex;
            float sign = binary && classIndex == 0 ? -1f : 1f;
            for (int i = 0; i < n; i++)
            {
                values[i] = sign * target.Data[i * c + column];
                seed.Data[i * c + column] = sign;
            }
        }
    }

    private sealed class SeedObjective(Tensor seedValues, Layer? layer) : Objective(layer)
    {
        internal override void Evaluate(Tensor target, Tensor seed, double[] values, string layerName, ActivationKind? activation)
        {
            int n = target.Dim(0), per = target.Size / n;
            bool full = seedValues.Shape.SequenceEqual(target.Shape);
            if (!full && !seedValues.Shape.SequenceEqual(target.Shape[1..]))
                throw new ArgumentException($"The seed has shape {Tensor.FormatShape(seedValues.Shape)} but layer '{layerName}' outputs " +
                    $"{Tensor.FormatShape(target.Shape)}: give the seed that shape, or one sample's shape (None, {string.Join(", ", target.Shape[1..].ToArray())}).");
            for (int i = 0; i < n; i++)
            {
                var s = seedValues.Span.Slice(full ? i * per : 0, per);
                s.CopyTo(seed.Span.Slice(i * per, per));
                values[i] = System.Numerics.Tensors.TensorPrimitives.Dot(s, target.Span.Slice(i * per, per));
            }
        }
    }
}
