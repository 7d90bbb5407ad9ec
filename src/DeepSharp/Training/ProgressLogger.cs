using System.Diagnostics;

namespace DeepSharp.Training;

/// <summary>
/// Keras' progress line: "938/938 [==============================] - 14s 15ms/step - loss: 0.1770 - accuracy: 0.9449".
/// verbose 1 redraws the bar in place on a terminal (and prints only the final line when output is redirected);
/// verbose 2 prints one line per epoch without a bar; 0 prints nothing.
/// </summary>
internal sealed class ProgressLogger(int verbose, TextWriter? writer = null)
{
    private readonly TextWriter _out = writer ?? Console.Out;
    private readonly bool _interactive = writer is null && !Console.IsOutputRedirected;
    private readonly Stopwatch _clock = new();
    private long _lastDraw;
    private int _total;

    public void Line(string text)
    {
        if (verbose > 0) _out.WriteLine(text);
    }

    public void Start(int totalSteps)
    {
        _total = totalSteps;
        _clock.Restart();
        _lastDraw = 0;
    }

    /// <summary>True when <see cref="Update"/> would redraw now (so callers build the logs only then).</summary>
    public bool WantsUpdate(int step) =>
        verbose == 1 && _interactive && (step >= _total || _clock.ElapsedMilliseconds - _lastDraw >= 100);

    public void Update(int step, IReadOnlyList<(string Name, double Value)> logs)
    {
        if (!WantsUpdate(step)) return;
        _lastDraw = _clock.ElapsedMilliseconds;
        double perStep = _clock.Elapsed.TotalSeconds / Math.Max(step, 1);
        string eta = $"ETA: {FormatSeconds(perStep * (_total - step))}";
        _out.Write("\r" + Bar(step) + " - " + eta + Format(logs) + "   ");
        _out.Flush();
    }

    public void Finish(int steps, IReadOnlyList<(string Name, double Value)> logs)
    {
        if (verbose == 0) return;
        double seconds = _clock.Elapsed.TotalSeconds;
        string timing = $"{FormatSeconds(seconds)} {FormatPerStep(seconds / Math.Max(steps, 1))}/step";
        string line = verbose == 1 ? $"{Bar(steps)} - {timing}{Format(logs)}" : $"{steps}/{steps} - {timing}{Format(logs)}";
        _out.Write((_interactive && verbose == 1 ? "\r" : "") + line + (_interactive ? "   " : "") + Environment.NewLine);
        _out.Flush();
    }

    private string Bar(int step)
    {
        const int width = 30;
        int digits = _total.ToString().Length;
        int done = _total == 0 ? width : (int)((long)width * step / _total);
        string bar = done >= width ? new string('=', width) : new string('=', Math.Max(done - 1, 0)) + (done > 0 ? ">" : "") + new string('.', width - done);
        return $"{step.ToString().PadLeft(digits)}/{_total} [{bar}]";
    }

    internal static string Format(IReadOnlyList<(string Name, double Value)> logs) =>
        string.Concat(logs.Select(l => $" - {l.Name}: {l.Value:F4}"));

    private static string FormatSeconds(double s) => s >= 3600 ? $"{(int)(s / 3600)}:{(int)(s % 3600 / 60):D2}:{(int)(s % 60):D2}" : $"{Math.Round(s):F0}s";

    private static string FormatPerStep(double s) => s >= 1 ? $"{s:F0}s" : s >= 1e-3 ? $"{s * 1e3:F0}ms" : $"{s * 1e6:F0}us";
}
