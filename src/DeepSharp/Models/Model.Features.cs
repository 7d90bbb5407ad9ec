using DeepSharp.Data;

namespace DeepSharp.Models;

public partial class Model
{
    /// <summary>
    /// Runs <paramref name="sampleCount"/> samples from <paramref name="generator"/> through the model in inference mode and
    /// returns the outputs with their labels: the chapter's <c>extract_features</c> loop (feature extraction with a frozen
    /// convolutional base). No gradient buffers are allocated and no weights or statistics change. Batches are drawn until
    /// <paramref name="sampleCount"/> rows are filled (the last batch is cut); labels are null when the generator has none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleCount"/> is not positive.</exception>
    /// <example><code>
    /// var convBase = Applications.VGG16(weights: "imagenet", includeTop: false, inputShape: (150, 150, 3));
    /// var (features, labels) = convBase.ExtractFeatures(trainGenerator, sampleCount: 2000);   // (2000, 4, 4, 512), (2000, 1)
    /// </code></example>
    public (Tensor Features, Tensor? Labels) ExtractFeatures(IBatchGenerator generator, int sampleCount)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (sampleCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(sampleCount), $"ExtractFeatures: sampleCount must be positive, got {sampleCount}.");
        Tensor? features = null, labels = null;
        int filled = 0;
        while (filled < sampleCount)
        {
            var (xb, yb) = generator.Next();
            int rows = xb.Dim(0);
            if (rows == 0) throw new InvalidOperationException("ExtractFeatures: the generator returned an empty batch.");
            var output = RunForward(xb, training: false);
            features ??= new Tensor([sampleCount, .. output.Shape[1..]]);
            int take = Math.Min(rows, sampleCount - filled);
            int perRow = output.Size / rows;
            output.Data.AsSpan(0, take * perRow).CopyTo(features.Data.AsSpan(filled * perRow));
            if (yb is not null)
            {
                labels ??= new Tensor([sampleCount, .. (yb.Rank == 1 ? [1] : yb.Shape[1..].ToArray())]);
                int perLabel = yb.Size / rows;
                yb.Data.AsSpan(0, take * perLabel).CopyTo(labels.Data.AsSpan(filled * perLabel));
            }
            filled += take;
        }
        return (features!, labels);
    }
}
