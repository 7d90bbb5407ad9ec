using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepSharp.Callbacks;

/// <summary>
/// Saves the model after every epoch, or only when <c>monitor</c> improves (Keras' ModelCheckpoint).
/// <c>filepath</c> may hold Python-style fields filled from the epoch (counted from 1) and the logs:
/// <c>{epoch:02d}</c>, <c>{val_loss:.2f}</c>, <c>{val_accuracy:.4f}</c>, <c>{loss}</c>.
/// Files end in <c>.keras</c> (whole model, <see cref="Models.Model.Save"/>) or, with <c>saveWeightsOnly</c>,
/// in <c>.weights.h5</c> (<see cref="Models.Model.SaveWeights"/>). Each file is written atomically.
/// </summary>
/// <example><code>
/// model.Fit(train, stepsPerEpoch: 100, epochs: 30, validationData: validation, validationSteps: 50,
///     callbacks: [new ModelCheckpoint("checkpoints/cats-{epoch:02d}-{val_loss:.2f}.keras", saveBestOnly: true)]);
/// </code></example>
public sealed partial class ModelCheckpoint : Callback
{
    /// <summary>Writes (files or the console): rank 0 only in a world of several ranks.</summary>
    internal override bool RootOnly => true;

    private readonly string _filepath;
    private readonly bool _higherIsBetter;
    private readonly double? _initialThreshold;
    private readonly List<string> _saved = new();
    private readonly TextWriter? _output;

    /// <param name="filepath">Where to save; may contain {epoch:02d} and {log_name:.2f} fields.</param>
    /// <param name="monitor">The log value compared when <paramref name="saveBestOnly"/> ("val_loss", "val_accuracy", ...).</param>
    /// <param name="verbose">1 prints a line each time a file is written (or skipped because it did not improve).</param>
    /// <param name="saveBestOnly">Save only when <paramref name="monitor"/> improves on the best value so far.</param>
    /// <param name="saveWeightsOnly">Save only the weights (<c>.weights.h5</c>), not the whole model.</param>
    /// <param name="mode">"min", "max", or "auto": max for names containing "acc", min otherwise.</param>
    /// <param name="initialValueThreshold">The value to beat for the first save when <paramref name="saveBestOnly"/>.</param>
    /// <param name="output">Where verbose lines go; the console when null.</param>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", int verbose = 0, bool saveBestOnly = false,
        bool saveWeightsOnly = false, string mode = "auto", double? initialValueThreshold = null, TextWriter? output = null)
    {
        _output = output;
        ArgumentException.ThrowIfNullOrEmpty(filepath);
        string ext = saveWeightsOnly ? ".weights.h5" : ".keras";
        if (!filepath.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"ModelCheckpoint: filepath '{filepath}' must end in {ext} " +
                (saveWeightsOnly ? "when saveWeightsOnly is true." : "(the whole model is saved; pass saveWeightsOnly: true for a .weights.h5 file)."), nameof(filepath));
        _filepath = filepath;
        Monitor = monitor;
        Verbose = verbose;
        SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly;
        _higherIsBetter = mode switch
        {
            "max" => true,
            "min" => false,
            "auto" => monitor.Contains("acc") || monitor.StartsWith("fmeasure"),
            _ => throw new ArgumentException($"ModelCheckpoint: mode '{mode}' is not one of \"auto\", \"min\", \"max\".", nameof(mode)),
        };
        _initialThreshold = initialValueThreshold;
        Best = Start;
    }

    public string Monitor { get; }
    public int Verbose { get; }
    public bool SaveBestOnly { get; }
    public bool SaveWeightsOnly { get; }

    /// <summary>The best monitored value seen so far (±infinity before the first epoch).</summary>
    public double Best { get; private set; }

    /// <summary>The files written, in order (a path appears again when it was overwritten).</summary>
    public IReadOnlyList<string> SavedPaths => _saved;

    private double Start => _initialThreshold ?? (_higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity);

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var model = Model ?? throw new InvalidOperationException("ModelCheckpoint is used outside Fit: it has no model.");
        string path = FormatPath(_filepath, epoch + 1, logs);
        if (SaveBestOnly)
        {
            if (!logs.TryGetValue(Monitor, out double current))
                throw new ArgumentException($"ModelCheckpoint monitors '{Monitor}' but the logs have only: {string.Join(", ", logs.Keys)}. " +
                    "Pass validation data (or validationSplit) to monitor val_ values.");
            bool improved = _higherIsBetter ? current > Best : current < Best;
            if (!improved)
            {
                if (Verbose > 0) (_output ?? Console.Out).WriteLine($"Epoch {epoch + 1}: {Monitor} did not improve from {Best:0.#####}");
                return;
            }
            if (Verbose > 0) (_output ?? Console.Out).WriteLine($"Epoch {epoch + 1}: {Monitor} improved from {Best:0.#####} to {current:0.#####}, saving model to {path}");
            Best = current;
        }
        else if (Verbose > 0) (_output ?? Console.Out).WriteLine($"Epoch {epoch + 1}: saving model to {path}");
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        if (SaveWeightsOnly) model.SaveWeights(path); else model.Save(path);
        _saved.Add(path);
    }

    /// <summary>
    /// Fills Python format fields: {epoch}, {epoch:02d}, {val_loss:.2f}, {loss:.3e}, {accuracy}. Unknown names are an error
    /// listing the available ones.
    /// </summary>
    internal static string FormatPath(string pattern, int epoch, IReadOnlyDictionary<string, double> logs) =>
        Field().Replace(pattern, m =>
        {
            string name = m.Groups[1].Value, spec = m.Groups[2].Value;
            double value;
            if (name == "epoch") value = epoch;
            else if (!logs.TryGetValue(name, out value))
                throw new ArgumentException($"ModelCheckpoint: filepath field '{{{name}}}' is not available. Use epoch or one of the logs: {string.Join(", ", logs.Keys)}.");
            return FormatValue(value, spec, name == "epoch");
        });

    private static string FormatValue(double value, string spec, bool integer)
    {
        var inv = CultureInfo.InvariantCulture;
        if (spec.Length == 0) return integer ? ((long)value).ToString(inv) : value.ToString("R", inv);
        var m = Spec().Match(spec);
        if (!m.Success)
            throw new ArgumentException($"ModelCheckpoint: format '{spec}' is not supported. Use forms such as 02d, .2f, .4f or .3e.");
        bool zeroPad = m.Groups[1].Success;
        int width = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, inv) : 0;
        int precision = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, inv) : 6;
        string text = m.Groups[4].Value switch
        {
            "d" => ((long)Math.Round(value)).ToString(inv),
            "f" or "" => value.ToString("F" + precision, inv),
            "e" => value.ToString(precision == 0 ? "0e+00" : "0." + new string('0', precision) + "e+00", inv),
            _ => value.ToString(inv),
        };
        return text.PadLeft(width, zeroPad ? '0' : ' ');
    }

    [GeneratedRegex(@"\{(\w+)(?::([^}]*))?\}")]
    private static partial Regex Field();

    [GeneratedRegex(@"^(0)?(\d+)?(?:\.(\d+))?([dfe]?)$")]
    private static partial Regex Spec();
}
