using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using DeepSharp.Models;
using DeepSharp.Saving;
using DeepSharp.Tests.Data;
using static DeepSharp.Tests.Saving.SavingFixtures;

namespace DeepSharp.Tests.Saving;

/// <summary>
/// Damaged and hostile .keras files (issue 10): every one fails with a <see cref="ModelFileException"/> naming the file,
/// before large allocations, and nothing loads silently altered.
/// </summary>
public class HostileModelFileTests
{
    /// <summary>Rewrites the archive with <paramref name="edit"/> applied to the entries (name → bytes, in order).</summary>
    internal static void Rewrite(string path, Func<List<(string Name, byte[] Bytes)>, List<(string Name, byte[] Bytes)>> edit)
    {
        var entries = new List<(string, byte[])>();
        using (var zip = ZipFile.OpenRead(path))
            foreach (var e in zip.Entries)
            {
                using var s = e.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                entries.Add((e.FullName, ms.ToArray()));
            }
        entries = edit(entries);
        File.Delete(path);
        using var output = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var s = output.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(bytes);
        }
    }

    private static void EditConfig(string path, Action<JsonObject> edit) => Rewrite(path, entries => entries.Select(e =>
    {
        if (e.Name != "config.json") return e;
        var root = JsonNode.Parse(e.Bytes)!.AsObject();
        edit(root);
        return (e.Name, Encoding.UTF8.GetBytes(root.ToJsonString()));
    }).ToList());

    private static JsonObject LayerConfig(JsonObject root, string className) =>
        root["config"]!["layers"]!.AsArray().First(l => (string?)l!["class_name"] == className)!["config"]!.AsObject();

    [Fact]
    public void PoolingStridesZero_IsAnErrorNamingTheLayer_NotDivideByZero()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.keras");
        MnistModel().Save(path);
        EditConfig(path, root => LayerConfig(root, "MaxPooling2D")["strides"] = new JsonArray(0, 0));

        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Contains("strides must be positive", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("Dense", "units", 8_000_000, "more than one array can hold")]
    [InlineData("Conv2D", "filters", 70_000_000, "does not match the weights")]
    [InlineData("Dense", "units", 100_000, "bytes: room for")]   // the entry's real size, not the slack, in the message
    public void AbsurdLayerSizes_FailBeforeAllocating(string className, string key, int value, string expected)
    {
        using var dir = new TempFolder();
        string path = dir.File("m.keras");
        MnistModel().Save(path);
        EditConfig(path, root => LayerConfig(root, className)[key] = value);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(expected, e.Message);
        Assert.Contains($"({className})", e.Message);
        Assert.True(allocated < 64 << 20, $"allocated {allocated:N0} bytes before failing");
    }

    [Fact]
    public void OverwrittenBytesInTheWeights_FailTheCrcCheck()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.keras");
        MnistModel().Save(path);
        var bytes = File.ReadAllBytes(path);
        int at = IndexOf(bytes, "\x89HDF"u8) + 40_000;   // inside the stored (uncompressed) weights entry
        for (int i = 0; i < 64; i++) bytes[at + i] = 0xFF;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Contains("CRC-32", e.Message);
        Assert.Contains("model.weights.h5", e.Message);
    }

    [Fact]
    public void DuplicateConfigEntries_AreRejected()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.keras");
        MnistModel().Save(path);
        Rewrite(path, entries => [.. entries, entries.First(e => e.Name == "config.json")]);

        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Contains("two entries named 'config.json'", e.Message);
    }

    [Fact]
    public void NonFiniteWeights_AreReportedOnLoad()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.keras");
        var model = MnistModel();
        model.Layers[0].Parameters[0].Value.Span[5] = float.NaN;
        model.Save(path);   // a consistent file (valid CRC) holding a NaN

        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Contains("non-finite", e.Message);
        Assert.Contains("conv2d", e.Message);
    }

    [Fact]
    public void WeightsEntryFarLargerThanTheModel_IsRejectedBeforeReading()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.keras");
        MnistModel().Save(path);
        Rewrite(path, entries => entries.Select(e => e.Name == "model.weights.h5" ? (e.Name, e.Bytes.Concat(new byte[40 << 20]).ToArray()) : e).ToList());

        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Contains("far more than", e.Message);
    }

    [Fact]
    public void StaleTemporaryFilesOfAKilledSave_AreRemovedAtTheNextSave_OthersAreKept()
    {
        using var dir = new TempFolder();
        string path = dir.File("model.keras");
        string stale = path + ".tmp-0123abcd", foreign = path + ".tmp-notours", other = dir.File("other.keras.tmp-0123abcd");
        foreach (var f in new[] { stale, foreign, other }) File.WriteAllBytes(f, new byte[100]);
        string locked = path + ".tmp-89abcdef";
        using (new FileStream(locked, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            MnistModel().Save(path);
            Assert.True(File.Exists(locked), "a temporary file another save is still writing is left alone");
        }
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(foreign));
        Assert.True(File.Exists(other));
        Assert.NotNull(Model.Load(path));
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
