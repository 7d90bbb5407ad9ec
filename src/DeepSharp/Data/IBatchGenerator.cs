namespace DeepSharp.Data;

/// <summary>
/// An endless source of batches, as Keras' generators and iterators: <c>Fit</c>, <c>Evaluate</c> and
/// <c>Predict</c> draw <c>stepsPerEpoch</c> batches from it. <c>ImageDataGenerator.FlowFromDirectory</c>
/// and <c>Flow</c> return one.
/// </summary>
public interface IBatchGenerator
{
    /// <summary>Batches in one pass over the samples: ceil(samples / batch size) (Keras' <c>len(generator)</c>).</summary>
    int StepsPerEpoch { get; }

    /// <summary>The number of samples in one pass.</summary>
    int SampleCount { get; }

    /// <summary>
    /// The next batch: inputs (batch, ...) and targets (null for class mode "none"). The last batch of a pass
    /// may be smaller. The tensors stay valid until the next call to <see cref="Next(CancellationToken)"/> returns.
    /// After the last batch of a pass the generator starts the next pass (reshuffling when it shuffles).
    /// </summary>
    (Tensor X, Tensor? Y) Next();

    /// <summary>
    /// <see cref="Next()"/> that gives up with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/>
    /// is cancelled, also while waiting for a batch (Fit, Evaluate and Predict call this one).
    /// </summary>
    (Tensor X, Tensor? Y) Next(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Next();
    }

    /// <summary>Goes back to the start of a pass.</summary>
    void Reset();
}
