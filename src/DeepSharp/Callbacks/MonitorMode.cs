namespace DeepSharp.Callbacks;

/// <summary>Keras' "auto"/"min"/"max" modes of monitoring callbacks.</summary>
internal static class MonitorMode
{
    /// <summary>True when larger values of <paramref name="monitor"/> are better.</summary>
    public static bool HigherIsBetter(string monitor, string mode, string callback) => mode switch
    {
        "max" => true,
        "min" => false,
        "auto" => monitor.Contains("acc") || monitor.StartsWith("fmeasure") || monitor.Contains("auc"),
        _ => throw new ArgumentException($"{callback}: mode '{mode}' is not one of \"auto\", \"min\", \"max\".", nameof(mode)),
    };

    public static double Read(IReadOnlyDictionary<string, double> logs, string monitor, string callback) =>
        logs.TryGetValue(monitor, out double v) ? v
        : throw new ArgumentException($"{callback} monitors '{monitor}' but the logs have only: {string.Join(", ", logs.Keys)}. " +
            "Pass validation data (or validationSplit) to monitor val_ values.");
}
