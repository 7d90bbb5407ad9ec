using DeepSharp.Training;
using ScottPlot;

namespace DeepSharp.Vision;

/// <summary>
/// <c>history.Plot(path)</c>: a PNG like R keras' <c>plot(history)</c>: one panel per metric (loss first, then accuracy
/// and any others), training and validation curves against the epoch.
/// </summary>
/// <example><code>
/// var history = model.Fit(train, stepsPerEpoch: 100, epochs: 30, validationData: val, validationSteps: 50);
/// history.Plot("history.png");
/// </code></example>
public static class HistoryPlotExtensions
{
    /// <summary>Writes the plot as a PNG (temporary file, then renamed). Width and height are in pixels.</summary>
    public static void Plot(this History history, string path, int width = 800, int height = 600)
    {
        var metrics = history.Keys.Where(k => !k.StartsWith("val_", StringComparison.Ordinal))
            .Concat(history.Keys.Where(k => k.StartsWith("val_", StringComparison.Ordinal) && !history.Contains(k[4..])).Select(k => k[4..]))
            .Distinct().OrderBy(k => k == "loss" ? 0 : 1).ToArray();
        if (metrics.Length == 0 || history.Epochs.Count == 0)
            throw new InvalidOperationException("The history is empty: there is nothing to plot. Train at least one epoch first.");

        ScottPlot.Fonts.Default = "DejaVu Sans";
        var multi = new ScottPlot.Multiplot();
        multi.AddPlots(metrics.Length);
        multi.Layout = new ScottPlot.MultiplotLayouts.Rows();
        double[] epochs = history.Epochs.Select(e => (double)e).ToArray();
        for (int i = 0; i < metrics.Length; i++)
        {
            var plot = multi.GetPlot(i);
            string m = metrics[i];
            if (history.Contains(m)) AddSeries(plot, epochs, history[m], "training", ScottPlot.Colors.Salmon);
            if (history.Contains("val_" + m)) AddSeries(plot, epochs, history["val_" + m], "validation", ScottPlot.Colors.DarkCyan);
            plot.YLabel(m);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            if (i == metrics.Length - 1) plot.XLabel("epoch");
            plot.ShowLegend(m == "loss" ? ScottPlot.Alignment.UpperRight : ScottPlot.Alignment.LowerRight);
        }
        string full = Path.GetFullPath(path);
        string tmp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp.png";
        try
        {
            multi.SavePng(tmp, width, height);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static void AddSeries(ScottPlot.Plot plot, double[] epochs, IReadOnlyList<double> values, string label, ScottPlot.Color color)
    {
        var scatter = plot.Add.Scatter(epochs[..values.Count], values.ToArray());
        scatter.LegendText = label;
        scatter.Color = color;
        scatter.MarkerSize = 6;
        scatter.LineWidth = 1.5f;
    }
}
