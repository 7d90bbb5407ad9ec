using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        using var zip = OpenZip(path);
        var configEntry = zip.GetEntry(ConfigName)
            ?? throw new ModelFileException(path, $"the archive has no {ConfigName} (it holds: {string.Join(", ", zip.Entries.Select(e => e.FullName))}); it is not a Keras model file.");
        JsonObject root;
        try { root = JsonNode.Parse(ReadEntry(configEntry, path)) as JsonObject ?? throw new FormatException("it is not a JSON object"); }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new ModelFileException(path, $"{ConfigName} is not valid JSON ({e.Message}).", e);
        }
        Model model;
        try
        {
            model = ModelJson.Deserialize(root);
            CompileJson.Apply(model, root["compile_config"] as JsonObject);
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new ModelFileException(path, $"the model in {ConfigName} cannot be rebuilt: {e.Message}", e);
        }
        var weightsEntry = zip.GetEntry(WeightsName)
            ?? throw new ModelFileException(path, $"the archive has no {WeightsName}; it holds: {string.Join(", ", zip.Entries.Select(e => e.FullName))}.");
        using var h5 = OpenH5(new MemoryStream(ReadEntry(weightsEntry, path)), $"{path} ({WeightsName})");
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
        if (IsZip(path))
        {
            if (byName) throw ByNameUnsupported(path);
            using var zip = OpenZip(path);
            var entry = zip.GetEntry(WeightsName) ?? throw new ModelFileException(path, $"the archive has no {WeightsName}.");
            using var inner = OpenH5(new MemoryStream(ReadEntry(entry, path)), $"{path} ({WeightsName})");
            ReadWeights(inner, model, path, withOptimizer: true);
            return [];
        }
        using var h5 = OpenH5(new MemoryStream(ReadAll(path)), path);
        if (KerasLegacyH5.Applies(h5))
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
        string tmp = $"{full}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite))
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

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = entry.Open();
        s.Write(bytes);
    }

    private static ZipArchive OpenZip(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        var bytes = ReadAll(path);
        if (bytes.Length == 0) throw new ModelFileException(path, "the file is empty.");
        if (bytes.AsSpan().StartsWith(Hdf5Signature))
            throw new ModelFileException(path, "this is an HDF5 file (a .weights.h5 file or a Keras 2 .h5 model), not a .keras zip archive. " +
                "Use model.LoadWeights(path) for weights files; Model.Load reads files written by model.Save.");
        try { return new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read); }
        catch (InvalidDataException e)
        {
            string what = bytes.AsSpan().StartsWith("PK"u8) ? "a zip archive that is truncated or damaged" : "not a zip archive";
            throw new ModelFileException(path, $"the file is {what} ({e.Message}); a .keras model file is a zip archive. Save it again with model.Save(path).", e);
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string path)
    {
        try
        {
            using var s = entry.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            if (ms.Length != entry.Length) throw new InvalidDataException($"expected {entry.Length} bytes, read {ms.Length}");
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(path, $"{entry.FullName} inside the archive is damaged ({e.Message}). The file may be truncated.", e);
        }
    }

    private static NativeFile OpenH5(MemoryStream stream, string what)
    {
        try { return H5File.Open(stream, leaveOpen: false); }
        catch (Exception e)
        {
            throw new ModelFileException(what, $"not a valid HDF5 weights file ({e.Message}). The file may be truncated or in another format.", e);
        }
    }

    private static bool IsZip(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var f = File.OpenRead(path);
        return f.Read(head) == 4 && head.StartsWith("PK\x03\x04"u8);
    }

    private static byte[] ReadAll(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (IOException e) { throw new ModelFileException(path, $"the file could not be read ({e.Message}).", e); }
    }
}
