namespace DeepSharp.Cli;

/// <summary>
/// Checks an output file before any work starts (issue 25), the same way for every command: the name has the
/// extension of the format written, it is not a folder, its folder exists or can be created and can be written to,
/// and it is not inside an input folder nor one of the input files (a grid written over an image of --data, or a
/// new class folder appearing in the data). A failure names the flag and exits before anything is read.
/// </summary>
internal static class OutputPath
{
    /// <summary>
    /// Checks <paramref name="path"/> given with <paramref name="flag"/>; <paramref name="extensions"/> are the accepted
    /// endings (".csv"; the first is named in the error); <paramref name="inputs"/> are the input files and folders
    /// (null entries are ignored). Creates the file's folder when missing. Returns the full path.
    /// </summary>
    public static string CheckFile(string path, string flag, string[] extensions, params (string Flag, string? Path)[] inputs)
    {
        if (path.Length == 0) throw new UsageException(flag, "is empty; give a file name, e.g. out" + extensions[0] + ".");
        if (Directory.Exists(path) || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar))
            throw new UsageException(flag, $"'{path}' is a folder; give a file name in it, e.g. {Path.Combine(path, "out" + extensions[0])}. Nothing was written.");
        if (!extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            throw new UsageException(flag, $"'{path}' does not end with {string.Join(" or ", extensions)}, but the file written is {Format(extensions[0])}. " +
                $"Name it e.g. {Path.ChangeExtension(Path.GetFileName(path), extensions[0])}.");
        string full = Path.GetFullPath(path);
        CheckNotInside(full, flag, inputs);
        string folder = Path.GetDirectoryName(full)!;
        CheckNoFileAbove(folder, flag, path);
        ProveWritable(folder, flag, path);
        return full;
    }

    /// <summary>
    /// Checks an output folder: created if missing, writable, not a file, not inside an input; <paramref name="files"/>
    /// (written into it) must not be folders.
    /// </summary>
    public static void CheckFolder(string folder, string flag, string[] files, params (string Flag, string? Path)[] inputs)
    {
        if (folder.Length == 0) throw new UsageException(flag, "is empty; give a folder, e.g. out.");
        CheckNotInside(Path.GetFullPath(folder), flag, inputs);
        if (!File.Exists(folder)) CheckNoFileAbove(Path.GetFullPath(folder), flag, folder);
        OutputFolder.Prepare(folder, flag, files);
    }

    /// <summary>
    /// The outermost folder of <paramref name="folder"/>'s path that does not exist yet (what creating it would create),
    /// or null when it exists or a file is in the way.
    /// </summary>
    public static string? FirstMissing(string folder)
    {
        string? missing = null;
        for (string? p = Path.GetFullPath(folder).TrimEnd('/'); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p) || File.Exists(p)) return File.Exists(p) ? null : missing;
            missing = p;
        }
        return missing;
    }

    /// <summary>
    /// Removes <paramref name="folder"/> (created by this run) when it holds no file at any depth, after a failed run;
    /// never throws, so the run's own error is the one reported.
    /// </summary>
    public static void RemoveIfNoFiles(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Any())
                Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The nearest existing ancestor of <paramref name="folder"/> (itself included) must be a folder, not a file.</summary>
    private static void CheckNoFileAbove(string folder, string flag, string path)
    {
        for (string? p = folder; !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p)) return;
            if (File.Exists(p))
                throw new UsageException(flag, $"'{p}' is a file, so '{path}' cannot be created under it. Choose another path.");
        }
    }

    private static void CheckNotInside(string full, string flag, (string Flag, string? Path)[] inputs)
    {
        string real = RealPathOf(full);
        foreach (var (inputFlag, input) in inputs)
        {
            if (input is null || !(File.Exists(input) || Directory.Exists(input))) continue;
            string inputReal = RealPathOf(Path.GetFullPath(input));
            if (real == inputReal)
                throw new UsageException(flag, $"'{full}' is the {inputFlag} input itself; writing it would destroy the input. Choose another path.");
            if (Directory.Exists(input) && real.StartsWith(inputReal.TrimEnd('/') + "/", StringComparison.Ordinal))
                throw new UsageException(flag, $"'{full}' is inside the {inputFlag} folder '{input}', where it would be read as input next time (or overwrite it). Write it outside that folder.");
        }
    }

    /// <summary>The real path of <paramref name="full"/>, or of its nearest existing ancestor with the rest appended.</summary>
    private static string RealPathOf(string full)
    {
        string rest = "";
        string p = full.TrimEnd('/');
        while (p.Length > 0 && !File.Exists(p) && !Directory.Exists(p))
        {
            rest = "/" + Path.GetFileName(p) + rest;
            p = Path.GetDirectoryName(p) ?? "";
        }
        if (p.Length == 0) return full;
        return Vision.RealPath.Of(p).TrimEnd('/') + rest;
    }

    private static void ProveWritable(string folder, string flag, string path)
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".deepsharp-write-test-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{flag}: cannot write '{path}' ({e.Message}). Choose a folder you can write to; nothing was done yet.", e);
        }
    }

    private static string Format(string extension) => extension.ToLowerInvariant() switch
    {
        ".png" => "a PNG image",
        ".csv" => "CSV text",
        ".npz" => "a NumPy .npz archive",
        ".onnx" => "an ONNX model",
        ".keras" => "a Keras model",
        var e => $"a {e} file",
    };
}
