namespace DeepSharp.Training;

/// <summary>
/// Where the time of the last <c>Fit</c> went: waiting for the next training batch from the data source
/// versus everything else (forward, backward, update, validation).
/// </summary>
/// <example><code>
/// model.Fit(trainGen, stepsPerEpoch: 100, epochs: 1);
/// Console.WriteLine($"{model.LastFitTimings.DataWaitShare:P1} of training was spent waiting for images");
/// </code></example>
public sealed class FitTimings
{
    /// <summary>Seconds spent inside the generator's Next() for training batches.</summary>
    public double DataWaitSeconds { get; internal set; }

    /// <summary>Seconds of the whole Fit.</summary>
    public double TotalSeconds { get; internal set; }

    /// <summary>
    /// Seconds training waited for the gradients' sum over the ranks of a world (DeepSharp.Distributed) after each
    /// backward pass: the all-reduce time not hidden behind the backward pass. 0 in a world of one.
    /// </summary>
    public double AllReduceSeconds { get; internal set; }

    /// <summary>Training steps taken.</summary>
    public long Steps { get; internal set; }

    /// <summary>DataWaitSeconds / TotalSeconds.</summary>
    public double DataWaitShare => TotalSeconds > 0 ? DataWaitSeconds / TotalSeconds : 0;
}
