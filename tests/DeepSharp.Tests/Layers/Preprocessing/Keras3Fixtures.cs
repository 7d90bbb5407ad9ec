using System.Text.Json;

namespace DeepSharp.Tests.Layers.Preprocessing;

/// <summary>
/// The goldens of tests/fixtures/keras3_preprocessing/make_fixtures.py (Keras 3's numpy-backend resize, affine transform
/// through scipy's map_coordinates, crops and colour adjustments, for fixed parameters), copied next to the test assembly
/// in tests/fixtures/torch's format.
/// </summary>
internal sealed class Keras3Fixtures
{
    private static readonly Lazy<Keras3Fixtures> Instance = new(Load);
    private readonly JsonElement _cases;
    private readonly float[] _data;

    private Keras3Fixtures(JsonElement cases, float[] data)
    {
        _cases = cases;
        _data = data;
    }

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "keras3_preprocessing");

    /// <summary>The names of the cases starting with <paramref name="prefix"/>.</summary>
    public static IEnumerable<string> Names(string prefix) =>
        Instance.Value._cases.EnumerateObject().Select(p => p.Name).Where(n => n.StartsWith(prefix, StringComparison.Ordinal));

    public static Keras3Case Case(string name)
    {
        var f = Instance.Value;
        if (!f._cases.TryGetProperty(name, out var c))
            throw new KeyNotFoundException($"No case '{name}' in {Path.Combine(Folder, "fixtures.json")}; rerun tests/fixtures/keras3_preprocessing/make_fixtures.py.");
        return new Keras3Case(name, c, f._data);
    }

    private static Keras3Fixtures Load()
    {
        string json = Path.Combine(Folder, "fixtures.json"), bin = Path.Combine(Folder, "fixtures.bin");
        if (!File.Exists(json) || !File.Exists(bin))
            throw new FileNotFoundException($"Keras 3 preprocessing fixtures not found in {Folder}; run '/usr/bin/python3 tests/fixtures/keras3_preprocessing/make_fixtures.py'.");
        var bytes = File.ReadAllBytes(bin);
        var data = new float[bytes.Length / 4];
        for (int i = 0; i < data.Length; i++) data[i] = BitConverter.ToSingle(bytes, 4 * i);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return new Keras3Fixtures(doc.RootElement.GetProperty("cases").Clone(), data);
    }
}

/// <summary>The tensors and scalars of one case.</summary>
internal sealed class Keras3Case(string name, JsonElement json, float[] data)
{
    public string Name { get; } = name;

    public Tensor Tensor(string tensor)
    {
        var t = json.GetProperty("tensors").GetProperty(tensor);
        var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var result = new Tensor(shape);
        data.AsSpan(t.GetProperty("offset").GetInt32(), result.Size).CopyTo(result.Span);
        return result;
    }

    public float[] Floats(string tensor) => Tensor(tensor).Span.ToArray();

    public double Scalar(string scalar) => json.GetProperty("scalars").GetProperty(scalar).GetDouble();

    public int Int(string scalar) => json.GetProperty("scalars").GetProperty(scalar).GetInt32();

    public bool Bool(string scalar) => json.GetProperty("scalars").GetProperty(scalar).GetBoolean();

    public string Text(string scalar) => json.GetProperty("scalars").GetProperty(scalar).GetString()!;

    /// <summary>Same shape, and |ours - Keras| ≤ rtol·|Keras| + atol·max|Keras| at every element.</summary>
    public void AssertMatches(string tensor, Tensor actual, double rtol = 1e-5, double atol = 1e-6)
    {
        var expected = Tensor(tensor);
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{Name}/{tensor}: shape {DeepSharp.Tensor.FormatShape(actual.Shape)}, Keras 3 gives {DeepSharp.Tensor.FormatShape(expected.Shape)}.");
        double scale = 0;
        foreach (float v in expected.Span) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < expected.Size; i++)
        {
            double diff = Math.Abs((double)actual.Data[i] - expected.Data[i]);
            if (!(diff <= rtol * Math.Abs(expected.Data[i]) + atol * scale))
                Assert.Fail($"{Name}/{tensor}: element {i} is {actual.Data[i]:G8}, Keras 3 gives {expected.Data[i]:G8} (difference {diff:G3}).");
        }
    }
}
