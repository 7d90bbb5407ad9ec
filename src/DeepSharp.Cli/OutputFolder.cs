namespace DeepSharp.Cli;

/// <summary>Checks an output folder before any work starts, so that a long run never fails only when it saves.</summary>
internal static class OutputFolder
{
    /// <summary>
    /// Creates <paramref name="folder"/> if needed and proves it writable (a probe file is created and deleted).
    /// Throws a <see cref="UsageException"/> when it is a file or one of <paramref name="files"/> is a folder, and an
    /// <see cref="IOException"/> naming <paramref name="flag"/> when it cannot be created or written.
    /// </summary>
    public static void Prepare(string folder, string flag, params string[] files)
    {
        if (File.Exists(folder))
            throw new UsageException(flag, $"'{folder}' is an existing file, not a folder. Give a folder (it is created if missing); nothing was changed.");
        foreach (var name in files)
            if (Directory.Exists(Path.Combine(folder, name)))
                throw new UsageException(flag, $"'{Path.Combine(folder, name)}' is a folder, so {name} cannot be written there. Choose another output folder.");
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".deepsharp-write-test-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{flag}: cannot write to folder '{folder}' ({e.Message}). Choose a folder you can write to; nothing was trained yet.", e);
        }
    }
}
