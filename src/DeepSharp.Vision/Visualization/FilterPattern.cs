namespace DeepSharp.Vision;

/// <summary>What <see cref="FilterPatterns.Generate"/> returns: the input that excites one filter most, and how the objective rose.</summary>
public sealed class FilterPattern
{
    internal FilterPattern(Tensor image, double[] objective)
    {
        Image = image;
        Objective = objective;
    }

    /// <summary>The deprocessed pattern, (height, width, channels), values 0–255.</summary>
    public Tensor Image { get; }

    /// <summary>The filter's mean activation before each step and after the last one (steps + 1 values).</summary>
    public double[] Objective { get; }

    /// <summary>True when the objective was exactly 0 before every step and after the last: the filter never activated, so
    /// there was no gradient to climb and the image is the starting noise.</summary>
    public bool StayedAtZero => Objective.All(v => v == 0);
}
