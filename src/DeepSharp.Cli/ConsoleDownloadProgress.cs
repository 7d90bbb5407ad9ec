using DeepSharp.Downloads;

namespace DeepSharp.Cli;

/// <summary>
/// Shows a download of pretrained weights on standard error: redrawn in place on a terminal
/// ("ResNet18 package: 12.6/60.2 MB 21%"), one line per quarter when redirected. The library itself prints nothing.
/// </summary>
internal sealed class ConsoleDownloadProgress : IProgress<DownloadProgress>
{
    private int _lastShown = -1;

    /// <summary>Options for every command that loads a pretrained base: this progress, messages through DeepSharpLogging.</summary>
    public static DownloadOptions Options { get; } = new() { Progress = new ConsoleDownloadProgress() };

    public void Report(DownloadProgress p)
    {
        bool terminal = !Console.IsErrorRedirected;
        int percent = p.Percent ?? 0;
        int shown = terminal ? percent : percent / 25;
        if (shown == _lastShown) return;
        _lastShown = shown;
        string line = $"{p.FileName}: {p.BytesReceived / 1e6:F1}/{(p.TotalBytes is { } t ? $"{t / 1e6:F1} MB" : "? MB")} {percent}%";
        if (terminal) Console.Error.Write("\r" + line + (percent == 100 ? Environment.NewLine : ""));
        else Console.Error.WriteLine(line);
        if (percent == 100) _lastShown = -1;
    }
}
