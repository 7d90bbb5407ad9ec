using System.Globalization;
using System.Text;

namespace DeepSharp.Models;

/// <summary>
/// Keras' model.summary() table (the Keras 2 layout the book prints): layer name and type, output shape,
/// parameter count, and for graphs with joins a "Connected to" column; then total, trainable and
/// non-trainable parameters.
/// </summary>
internal static class ModelSummary
{
    public static string Render(Model model)
    {
        if (model.Nodes.Count == 0)
            throw new InvalidOperationException($"Model '{model.Name}' has not been built yet, so it has no shapes to show. " +
                "Give the first layer an inputShape (e.g. inputShape: (28, 28, 1)) or call Fit/Predict once.");
        bool graph = model.Nodes.Any(n => n.Inputs.Length > 1);
        int[] widths = graph ? [36, 26, 11, 25] : [34, 26, 10];
        int total = widths.Sum();
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine($"Model: \"{model.Name}\"");
        sb.AppendLine(new string('_', total));
        sb.AppendLine(Row(widths, graph ? ["Layer (type)", "Output Shape", "Param #", "Connected to"] : ["Layer (type)", "Output Shape", "Param #"]));
        sb.AppendLine(new string('=', total));
        var nodes = model.Nodes;
        for (int i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            string name = n.Layer is null ? $"{model.InputName} (InputLayer)" : $"{n.Layer.Name} ({(n.Layer is Model m && m is not Sequential ? "Functional" : n.Layer.ClassName)})";
            if (i == 0 && model is Sequential) continue;   // Sequential summaries do not list the input; functional ones do
            string shape = "(None, " + string.Join(", ", n.Shape) + ")";
            string pars = (n.Layer?.CountParams() ?? 0).ToString(inv);
            string[] cells = graph
                ? [name, shape, pars, string.Join(", ", n.Inputs.Select(j => nodes[j].Layer?.Name ?? model.InputName))]
                : [name, shape, pars];
            sb.AppendLine(Row(widths, cells));
            sb.AppendLine(i == nodes.Count - 1 ? new string('=', total) : new string('_', total));
        }
        long all = model.Parameters.Sum(p => (long)p.Value.Size);
        long trainable = model.Parameters.Where(p => p.Trainable).Sum(p => (long)p.Value.Size);
        sb.AppendLine($"Total params: {all.ToString("N0", inv)}");
        sb.AppendLine($"Trainable params: {trainable.ToString("N0", inv)}");
        sb.AppendLine($"Non-trainable params: {(all - trainable).ToString("N0", inv)}");
        sb.Append(new string('_', total));
        return sb.ToString();
    }

    private static string Row(int[] widths, string[] cells)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            string c = cells[i];
            if (i < cells.Length - 1 && c.Length >= widths[i]) c = c[..(widths[i] - 2)] + "…";
            sb.Append(i < cells.Length - 1 ? c.PadRight(widths[i]) : c);
        }
        return sb.ToString().TrimEnd();
    }
}
