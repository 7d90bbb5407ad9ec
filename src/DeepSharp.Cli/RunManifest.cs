using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepSharp.Cli;

/// <summary>
/// Makes a run's output folder one unit (issue 25). `deepsharp train` writes model.keras, history.png and
/// class_names.txt one after the other (each atomically), then, last, <c>deepsharp-run.json</c>: the SHA-256 of each.
/// A reader that takes class names from beside a model (<c>predict</c>, <c>visualize gradcam</c>) checks the manifest,
/// so a save killed between two files (a new model beside the old class names, which would label every image with a
/// wrong name) is an error naming the folder, never a silently wrong answer. Before the first file of a save, a folder
/// that holds files but no manifest (an older run) gets a manifest saying a save is under way.
/// </summary>
internal static class RunManifest
{
    public const string FileName = "deepsharp-run.json";

    /// <summary>Test hook: the save step after which the process kills itself (SIGKILL), to test that every kill leaves a consistent folder.</summary>
    private const string KillAfterStepVariable = "DEEPSHARP_TEST_KILL_AFTER_SAVE_STEP";

    private static int _step;

    /// <summary>Call before the first file of a save is written into <paramref name="folder"/>.</summary>
    public static void Begin(string folder, IEnumerable<string> files)
    {
        _step = 0;
        string manifest = Path.Combine(folder, FileName);
        if (!File.Exists(manifest) && files.Any(f => File.Exists(Path.Combine(folder, f))))
            Commands.PredictCommand.WriteAtomically(manifest, new JsonObject { ["state"] = "saving" }.ToJsonString() + "\n");
        Step();
    }

    /// <summary>Call after each file of the save is in place.</summary>
    public static void Step()
    {
        _step++;
        if (Environment.GetEnvironmentVariable(KillAfterStepVariable) == _step.ToString(System.Globalization.CultureInfo.InvariantCulture))
            Process.GetCurrentProcess().Kill();
    }

    /// <summary>Writes the manifest listing <paramref name="files"/> with their hashes: the save is complete.</summary>
    public static void Complete(string folder, IEnumerable<string> files)
    {
        var list = new JsonObject();
        foreach (var f in files) list[f] = Hash(Path.Combine(folder, f));
        Commands.PredictCommand.WriteAtomically(Path.Combine(folder, FileName),
            new JsonObject { ["state"] = "complete", ["files"] = list }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// The class names in class_names.txt beside <paramref name="modelPath"/>, or null when there is none. When a manifest
    /// is there, the model and the class names must be the ones it lists, else an <see cref="InvalidDataException"/> says so.
    /// </summary>
    public static string[]? ClassNamesBeside(string modelPath)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        string namesFile = Path.Combine(folder, "class_names.txt");
        if (!File.Exists(namesFile)) return null;
        string manifest = Path.Combine(folder, FileName);
        if (File.Exists(manifest))
        {
            string? problem = Mismatch(manifest, folder, [Path.GetFileName(modelPath), "class_names.txt"]);
            if (problem is not null)
                throw new InvalidDataException($"'{namesFile}' may not belong to the model '{modelPath}': {problem} " +
                    "A save into that folder was interrupted, or a file was replaced. Train again into the folder, or pass the class names with --class-names.");
        }
        return File.ReadAllLines(namesFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }

    private static string? Mismatch(string manifest, string folder, string[] files)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(manifest)); }
        catch (JsonException e) { return $"its run manifest {FileName} is not readable JSON ({e.Message})."; }
        try
        {
            if (root?["state"]?.GetValue<string>() != "complete") return $"its run manifest {FileName} says a save was started and not finished.";
            foreach (var f in files)
            {
                string? expected = root["files"]?[f]?.GetValue<string>();
                if (expected is null) return $"{f} is not listed in the run manifest {FileName}.";
                if (expected != Hash(Path.Combine(folder, f))) return $"{f} is not the file the run manifest {FileName} lists (its SHA-256 differs).";
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return $"its run manifest {FileName} is damaged ({e.Message}).";
        }
        return null;
    }

    private static string Hash(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
