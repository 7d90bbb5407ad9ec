using System.Globalization;
using System.Text;

namespace DeepSharp.Callbacks;

/// <summary>
/// Writes each epoch's logs to a CSV file (Keras' CSVLogger): a header <c>epoch,accuracy,loss,val_accuracy,val_loss</c>
/// (keys sorted, epoch counted from 0) and one row per epoch. Without validation data Keras still adds the val_ columns,
/// filled with NA; so does this. After every epoch the whole file is written to a temporary name and renamed, so it is
/// always complete, even if training is interrupted. With <c>append</c> it continues an existing file
/// (no second header), for resumed training.
/// </summary>
/// <example><code>model.Fit(x, y, epochs: 10, validationSplit: 0.2, callbacks: [new CSVLogger("training.csv")]);</code></example>
public sealed class CSVLogger : Callback
{
    /// <summary>Writes (files or the console): rank 0 only in a world of several ranks.</summary>
    internal override bool RootOnly => true;

    private readonly StringBuilder _text = new();
    private List<string>? _keys;
    private bool _writeHeader;

    /// <param name="filename">The CSV file, e.g. "run/log.csv" (its folder is created).</param>
    /// <param name="separator">The field separator.</param>
    /// <param name="append">Continue the file if it exists instead of replacing it.</param>
    public CSVLogger(string filename, string separator = ",", bool append = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(filename);
        ArgumentException.ThrowIfNullOrEmpty(separator);
        Filename = filename;
        Separator = separator;
        Append = append;
    }

    public string Filename { get; }
    public string Separator { get; }
    public bool Append { get; }

    public override void OnTrainBegin()
    {
        _text.Clear();
        _keys = null;
        string existing = Append && File.Exists(Filename) ? File.ReadAllText(Filename) : "";
        _text.Append(existing);
        if (existing.Length > 0 && !existing.EndsWith('\n')) _text.Append('\n');
        _writeHeader = existing.Length == 0;
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        if (_keys is null)
        {
            _keys = logs.Keys.Order(StringComparer.Ordinal).ToList();
            if (_keys.Count > 0 && !_keys.Any(k => k.StartsWith("val_", StringComparison.Ordinal)))
                _keys.AddRange(_keys.Select(k => "val_" + k).ToList());
            if (_writeHeader) _text.AppendJoin(Separator, _keys.Prepend("epoch").Select(k => Data.CsvWriter.Field(k, Separator))).Append('\n');
        }
        _text.Append(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (var key in _keys) _text.Append(Separator).Append(logs.TryGetValue(key, out double v) ? PythonFloat(v) : "NA");
        _text.Append('\n');
        Write();
    }

    private void Write()
    {
        string full = Path.GetFullPath(Filename);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            File.WriteAllText(temp, _text.ToString());
            File.Move(temp, full, overwrite: true);
        }
        finally { if (File.Exists(temp)) File.Delete(temp); }
    }

    /// <summary>A float as Python's str() writes it: 0.25, 1.0, 1e-05, nan, inf.</summary>
    internal static string PythonFloat(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        string s = v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        if (Math.Abs(v) >= 1e16 && !s.Contains('e')) s = v.ToString("0.################e+00", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('e') ? s : s + ".0";
    }
}
