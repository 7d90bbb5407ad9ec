using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSharp.Limits;
using DeepSharp.Models;
using PureHDF;
using PureHDF.VOL.Native;

namespace DeepSharp.Saving;

/// <summary>
/// Reads and writes Keras 3's <c>.keras</c> file: a zip holding <c>metadata.json</c>, <c>config.json</c>
/// (see <see cref="ModelJson"/> and <see cref="CompileJson"/>) and <c>model.weights.h5</c> (see <see cref="WeightsH5"/>),
/// stored uncompressed as Keras does. Files are written to <c>path.tmp-XXXX</c> and renamed over <c>path</c>,
/// so a crash leaves either the old file or the new one, never half of one.
/// </summary>
/// <remarks>
/// metadata.json says <c>{"keras_version": "3.6.0", "date_saved": ..., "producer": "DeepSharp"}</c>: the version is that of the
/// Keras layout followed, so that Keras takes its current loading path.
/// </remarks>
internal static class KerasArchive
{
    private const string ConfigName = "config.json", MetadataName = "metadata.json", WeightsName = "model.weights.h5";
    private static readonly byte[] Hdf5Signature = [0x89, (byte)'H', (byte)'D', (byte)'F'];
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static void Save(Model model, string path)
    {
        var config = ModelJson.Serialize(model, withCompile: true);
        var metadata = new JsonObject
        {
            ["keras_version"] = "3.6.0",
            ["date_saved"] = DateTime.Now.ToString("yyyy-MM-dd@HH:mm:ss"),
            ["producer"] = "DeepSharp",
        };
        var weights = WeightsH5.Build(model);
        WriteAtomically(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteEntry(zip, MetadataName, Encoding.UTF8.GetBytes(metadata.ToJsonString(Compact)));
            WriteEntry(zip, ConfigName, Encoding.UTF8.GetBytes(config.ToJsonString(Compact)));
            using var h5 = new MemoryStream();
            weights.Write(h5);
            WriteEntry(zip, WeightsName, h5.ToArray());
        });
    }

    public static Model Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        return Load(ReadAll(path), path);
    }

    /// <summary>Loads a model from the bytes of a <c>.keras</c> file; <paramref name="path"/> names it in errors.</summary>
    internal static Model Load(byte[] bytes, string path)
    {
        if (KerasH5Model.IsHdf5(bytes)) return KerasH5Model.Load(bytes, path);   // Keras 2's model.save("m.h5")
        using var zip = OpenZip(bytes, path);
        var configEntry = zip.GetEntry(ConfigName)
            ?? throw new ModelFileException(path, $"the archive has no {ConfigName} (it holds: {string.Join(", ", zip.Entries.Select(e => e.FullName))}); it is not a Keras model file.");
        var weightsEntry = zip.GetEntry(WeightsName)
            ?? throw new ModelFileException(path, $"the archive has no {WeightsName}; it holds: {string.Join(", ", zip.Entries.Select(e => e.FullName))}.");
        CheckSize(weightsEntry, LoadLimits.MaxZipEntryBytes, nameof(LoadLimits.MaxZipEntryBytes), path);
        RequireHdf5Signature(weightsEntry, path);
        JsonObject root;
        try { root = JsonNode.Parse(ReadEntry(configEntry, path, LoadLimits.MaxConfigBytes, nameof(LoadLimits.MaxConfigBytes))) as JsonObject ?? throw new FormatException("it is not a JSON object"); }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new ModelFileException(path, $"{ConfigName} is not valid JSON ({e.Message}).", e);
        }
        Model model;
        // The layers may not create more weights than the weights entry can hold (4 bytes a value, plus slack for
        // weights Keras does not store, such as BatchNormalization's unused gamma): checked before each allocation.
        using (WeightBudget.Limit(weightsEntry.Length, slackValues: 65536, path, WeightsName))
        {
            try
            {
                model = ModelJson.Deserialize(root);
                CompileJson.Apply(model, root["compile_config"] as JsonObject);
            }
            catch (Exception e) when (e is not (ModelFileException or OutOfMemoryException))
            {
                // Whatever a damaged config makes the builders throw (wrong types, impossible sizes, overflow), the caller
                // gets one documented exception that names the file.
                throw new ModelFileException(path, $"the model in {ConfigName} cannot be rebuilt: {e.Message}", e);
            }
        }
        long needed = 4 * 3 * model.Parameters.Sum(p => (long)p.Value.Size);   // weights + up to two optimizer slots each
        if (weightsEntry.Length > 2 * needed + (16L << 20))
            throw new ModelFileException(path, $"{WeightsName} declares {weightsEntry.Length:N0} bytes, far more than the {needed / 3:N0} bytes of weights " +
                $"(plus optimizer state) of the model in {ConfigName}. The file is damaged or the two entries do not belong together.");
        using var h5 = OpenH5(new MemoryStream(ReadEntry(weightsEntry, path, LoadLimits.MaxZipEntryBytes, nameof(LoadLimits.MaxZipEntryBytes))), $"{path} ({WeightsName})");
        ReadWeights(h5, model, path, withOptimizer: true);
        return model;
    }

    /// <summary>Writes the weights (and optimizer state, when compiled) as a Keras 3 <c>.weights.h5</c> file.</summary>
    public static void SaveWeights(Model model, string path)
    {
        var weights = WeightsH5.Build(model);
        WriteAtomically(path, stream => weights.Write(stream));
    }

    /// <summary>
    /// Reads weights from a Keras 3 <c>.weights.h5</c> file, the weights inside a <c>.keras</c> file, or a Keras 1/2 HDF5 weights
    /// file (<see cref="KerasLegacyH5"/>). Returns messages about layers skipped by <paramref name="skipMismatch"/>.
    /// </summary>
    public static IReadOnlyList<string> LoadWeights(Model model, string path, bool byName = false, bool skipMismatch = false)
    {
        if (skipMismatch && !byName)
            throw new ArgumentException("skipMismatch: true needs byName: true (as in Keras): layers matched by position must all fit.", nameof(skipMismatch));
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        return LoadWeights(model, ReadAll(path), path, byName, skipMismatch);
    }

    /// <summary>Reads weights from the bytes of a weights or <c>.keras</c> file; <paramref name="path"/> names it in errors.</summary>
    internal static IReadOnlyList<string> LoadWeights(Model model, byte[] bytes, string path, bool byName = false, bool skipMismatch = false)
    {
        if (bytes.AsSpan().StartsWith("PK\x03\x04"u8))
        {
            if (byName) throw ByNameUnsupported(path);
            using var zip = OpenZip(bytes, path);
            var entry = zip.GetEntry(WeightsName) ?? throw new ModelFileException(path, $"the archive has no {WeightsName}.");
            using var inner = OpenH5(new MemoryStream(ReadEntry(entry, path, LoadLimits.MaxZipEntryBytes, nameof(LoadLimits.MaxZipEntryBytes))), $"{path} ({WeightsName})");
            ReadWeights(inner, model, path, withOptimizer: true);
            return [];
        }
        using var h5 = OpenH5(new MemoryStream(bytes), path);
        bool legacy;
        try { legacy = KerasLegacyH5.Applies(h5); }
        catch (Exception e) { throw new ModelFileException(path, $"the weights could not be read ({e.GetType().Name}: {e.Message}). The file may be truncated or damaged.", e); }
        if (legacy)
        {
            try { return KerasLegacyH5.Load(h5, model, path, byName, skipMismatch); }
            catch (Exception e) when (e is not ModelFileException)
            {
                throw new ModelFileException(path, $"the weights could not be read ({e.GetType().Name}: {e.Message}). The file may be truncated or damaged.", e);
            }
        }
        if (byName) throw ByNameUnsupported(path);
        ReadWeights(h5, model, path, withOptimizer: true);
        return [];
    }

    private static ModelFileException ByNameUnsupported(string path) =>
        new(path, "byName: true needs a Keras 2 HDF5 weights file (with layer_names); Keras 3 files store layers by position, not by name. Load it with byName: false.");

    // ---- helpers ----

    private static void ReadWeights(NativeFile h5, Model model, string path, bool withOptimizer)
    {
        try { WeightsH5.Load(h5, model, path, withOptimizer); }
        catch (Exception e) when (e is not ModelFileException)
        {
            throw new ModelFileException(path, $"the weights could not be read ({e.GetType().Name}: {e.Message}). The file may be truncated or damaged.", e);
        }
    }

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Cannot save to '{path}': the folder '{dir}' does not exist. Create it first.");
        if (Directory.Exists(full))
            throw new IOException($"Cannot save to '{path}': it is a folder. Give a file name such as '{Path.Combine(path, "model.keras")}'.");
        RemoveStaleTemporaries(full);
        string tmp = $"{full}{TempMarker}{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            // FileShare.None holds an exclusive lock while writing, so a concurrent save never deletes this file as stale.
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private const string TempMarker = ".tmp-";

    /// <summary>
    /// Deletes <c>path.tmp-XXXXXXXX</c> files (our own naming: 8 hex digits) that a killed save left behind.
    /// A file another process is still writing is locked and left alone.
    /// </summary>
    private static void RemoveStaleTemporaries(string full)
    {
        string? dir = Path.GetDirectoryName(full);
        if (dir is null) return;
        string prefix = Path.GetFileName(full) + TempMarker;
        try
        {
            foreach (var candidate in Directory.EnumerateFiles(dir, prefix + "*"))
            {
                string suffix = Path.GetFileName(candidate)[prefix.Length..];
                if (suffix.Length != 8 || !suffix.All(char.IsAsciiHexDigitLower)) continue;
                try
                {
                    using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                    File.Delete(candidate);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // in use or not ours to delete
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = entry.Open();
        s.Write(bytes);
    }

    private static ZipArchive OpenZip(byte[] bytes, string path)
    {
        if (bytes.Length == 0) throw new ModelFileException(path, "the file is empty.");
        if (bytes.AsSpan().StartsWith(Hdf5Signature))
            throw new ModelFileException(path, "this is an HDF5 file (a .weights.h5 file or a Keras 2 .h5 model), not a .keras zip archive. " +
                "Use model.LoadWeights(path) for weights files; Model.Load reads files written by model.Save.");
        ZipArchive zip;
        try { zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or NotSupportedException)
        {
            string what = bytes.AsSpan().StartsWith("PK"u8) ? "a zip archive that is truncated or damaged" : "not a zip archive";
            throw new ModelFileException(path, $"the file is {what} ({e.Message}); a .keras model file is a zip archive. Save it again with model.Save(path).", e);
        }
        try { ZipEntries.RejectDuplicates(zip); }
        catch (InvalidDataException e)
        {
            zip.Dispose();
            throw new ModelFileException(path, e.Message, e);
        }
        return zip;
    }

    /// <summary>Reads the first bytes of the weights entry only: an entry that is not HDF5 fails before any layer is built.</summary>
    private static void RequireHdf5Signature(ZipArchiveEntry entry, string path)
    {
        Span<byte> head = stackalloc byte[4];
        int got;
        try
        {
            using var s = entry.Open();
            got = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new ModelFileException(path, $"{entry.FullName} inside the archive cannot be read ({e.Message}). The file may be truncated or damaged.", e);
        }
        if (got < 4 || !head.SequenceEqual(Hdf5Signature))
            throw new ModelFileException($"{path} ({entry.FullName})", "not a valid HDF5 weights file (it does not start with the HDF5 signature). The file may be damaged or in another format.");
    }

    private static void CheckSize(ZipArchiveEntry entry, long limit, string limitName, string path)
    {
        try { ZipEntries.CheckDeclaredSize(entry, limit, limitName); }
        catch (InvalidDataException e) { throw new ModelFileException(path, e.Message, e); }
    }

    /// <summary>Reads a whole entry: size checked against the limit first, CRC-32 verified.</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, string path, long limit, string limitName)
    {
        try { return ZipEntries.ReadAll(entry, limit, limitName); }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(path, $"{e.Message} The file may be truncated or damaged; save it again.", e);
        }
    }

    internal static NativeFile OpenH5(MemoryStream stream, string what)
    {
        try { return H5File.Open(stream, leaveOpen: false); }
        catch (Exception e)
        {
            throw new ModelFileException(what, $"not a valid HDF5 weights file ({e.Message}). The file may be truncated or in another format.", e);
        }
    }

    internal static byte[] ReadAll(string path)
    {
        // A pipe or device (or a link to one) would block or never end: refuse it before opening.
        if (Limits.RegularFile.NotRegular(path) is { } what)
            throw new ModelFileException(path, $"it is {what}, not a regular file, so it is not opened (reading it could block forever).");
        if (new FileInfo(path).Length == 0) throw new ModelFileException(path, "the file is empty (or not a regular file).");
        try { return File.ReadAllBytes(path); }
        catch (IOException e) { throw new ModelFileException(path, $"the file could not be read ({e.Message}).", e); }
    }
}
