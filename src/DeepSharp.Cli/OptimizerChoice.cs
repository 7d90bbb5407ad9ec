using System.Globalization;
using DeepSharp.Optimizers;

namespace DeepSharp.Cli;

/// <summary>
/// `train --optimizer rmsprop|adam|adamw|sgd|... --learning-rate R --fine-tune-learning-rate R`: the book's choices unless asked
/// otherwise (RMSprop at 1e-4 from scratch, 2e-5 for a classifier on a frozen base, 1e-5 when fine-tuning).
/// </summary>
internal sealed record OptimizerChoice(string Name, double? LearningRate, double FineTuneLearningRate)
{
    public const double FromScratchDefault = 1e-4, OnBaseDefault = 2e-5;

    /// <summary>The rate of the first (or only) phase.</summary>
    public double Rate(bool onBase) => LearningRate ?? (onBase ? OnBaseDefault : FromScratchDefault);

    /// <summary>Checks the rates before any work (positive, finite).</summary>
    public void Check(bool onBase)
    {
        if (LearningRate is { } r && !(r > 0 && double.IsFinite(r)))
            throw new UsageException("--learning-rate", $"must be a positive number, got {Format(r)}. The book uses {Format(onBase ? OnBaseDefault : FromScratchDefault)}.");
        if (!(FineTuneLearningRate > 0 && double.IsFinite(FineTuneLearningRate)))
            throw new UsageException("--fine-tune-learning-rate", $"must be a positive number, got {Format(FineTuneLearningRate)}. The book uses 1e-5.");
    }

    public Optimizer Create(bool fromScratch) => Make(Rate(!fromScratch));

    public Optimizer CreateForFineTuning() => Make(FineTuneLearningRate);

    /// <summary>For the first lines: "rmsprop, learning rate 2e-05 (the book's; --optimizer and --learning-rate change it)".</summary>
    public string Describe(bool onBase, bool fineTune) =>
        $"{Name}, learning rate {Format(Rate(onBase))}" +
        (LearningRate is null ? $" ({(Name == "rmsprop" ? "the book's" : "the default")}; --optimizer and --learning-rate change it)" : "") +
        (fineTune ? $"; fine-tuning at {Format(FineTuneLearningRate)} (--fine-tune-learning-rate)" : "");

    /// <summary>The named optimizer (Compile's name table, Keras' defaults) at the given constant rate.</summary>
    private Optimizer Make(double rate)
    {
        var optimizer = Optimizer.Get(Name);
        optimizer.LearningRate = rate;
        return optimizer;
    }

    private static string Format(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
