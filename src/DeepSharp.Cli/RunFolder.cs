using System.Globalization;

namespace DeepSharp.Cli;

/// <summary>The default output of `deepsharp train`: a new folder runs/DATE-TIME under the current folder.</summary>
internal static class RunFolder
{
    /// <summary>"runs/20261207-213005", or with "-2", "-3", … when that folder exists already (two runs in one second).</summary>
    public static string NewName()
    {
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string name = Path.Combine("runs", stamp);
        for (int i = 2; Directory.Exists(name) || File.Exists(name); i++) name = Path.Combine("runs", $"{stamp}-{i}");
        return name;
    }
}
