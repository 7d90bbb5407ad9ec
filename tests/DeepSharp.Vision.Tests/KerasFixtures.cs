using System.IO.Compression;
using System.Text.Json;

namespace DeepSharp.Vision.Tests;

/// <summary>
/// The keras_preprocessing goldens written by tests/fixtures/keras_preprocessing/make_fixtures.py: fixtures.json
/// (the index: shape, dtype and byte offset of each array) and fixtures.bin.gz (the arrays, float32 little-endian
/// or uint8), plus the image files load_img read, all copied next to the test assembly.
/// </summary>
internal static class KerasFixtures
{
    private static readonly Lazy<(JsonElement Cases, byte[] Data)> Instance = new(Load);

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "keras_preprocessing");

    public static string File(string name) => Path.Combine(Folder, name);

    /// <summary>Names of all cases starting with <paramref name="prefix"/>.</summary>
    public static IEnumerable<string> Names(string prefix) =>
        Instance.Value.Cases.EnumerateObject().Select(p => p.Name).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    public static KerasCase Case(string name)
    {
        var (cases, data) = Instance.Value;
        if (!cases.TryGetProperty(name, out var c))
            throw new KeyNotFoundException($"No case '{name}' in {Path.Combine(Folder, "fixtures.json")}. Rerun tests/fixtures/keras_preprocessing/make_fixtures.py.");
        return new KerasCase(name, c, data);
    }

    private static (JsonElement, byte[]) Load()
    {
        string json = Path.Combine(Folder, "fixtures.json"), bin = Path.Combine(Folder, "fixtures.bin.gz");
        if (!System.IO.File.Exists(json) || !System.IO.File.Exists(bin))
            throw new FileNotFoundException($"keras_preprocessing fixtures not found in {Folder}; run '/usr/bin/python3 tests/fixtures/keras_preprocessing/make_fixtures.py'.");
        using var gz = new GZipStream(System.IO.File.OpenRead(bin), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(json));
        return (doc.RootElement.GetProperty("cases").Clone(), ms.ToArray());
    }
}

/// <summary>The arrays and scalars of one fixture case.</summary>
internal sealed class KerasCase(string name, JsonElement json, byte[] data)
{
    public string Name { get; } = name;

    public Tensor Tensor(string tensor)
    {
        if (!json.GetProperty("tensors").TryGetProperty(tensor, out var t))
            throw new KeyNotFoundException($"Fixture case '{Name}' has no array '{tensor}'.");
        var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int offset = t.GetProperty("offset").GetInt32();
        var result = new Tensor(shape);
        var span = result.Span;
        if (t.GetProperty("dtype").GetString() == "uint8")
            for (int i = 0; i < span.Length; i++) span[i] = data[offset + i];
        else
            for (int i = 0; i < span.Length; i++) span[i] = BitConverter.ToSingle(data, offset + 4 * i);
        return result;
    }

    public bool Has(string scalar) => json.GetProperty("scalars").TryGetProperty(scalar, out _);

    public double Scalar(string scalar, double fallback = 0) =>
        json.GetProperty("scalars").TryGetProperty(scalar, out var v) ? v.GetDouble() : fallback;

    public string Text(string scalar) => json.GetProperty("scalars").GetProperty(scalar).GetString()!;

    /// <summary>The largest |expected - actual| after checking the shapes agree.</summary>
    public double MaxDifference(string tensor, Tensor actual)
    {
        var expected = Tensor(tensor);
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{Name}/{tensor}: shape {DeepSharp.Tensor.FormatShape(actual.Shape)}, keras_preprocessing has {DeepSharp.Tensor.FormatShape(expected.Shape)}.");
        double max = 0;
        for (int i = 0; i < expected.Size; i++) max = Math.Max(max, Math.Abs(expected.Data[i] - actual.Data[i]));
        return max;
    }
}
