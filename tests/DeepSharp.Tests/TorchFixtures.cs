using System.Text.Json;

namespace DeepSharp.Tests;

/// <summary>
/// The PyTorch goldens written by the scripts in tests/fixtures/torch: for each, NAME.json (the index) and NAME.bin
/// (little-endian float32), copied next to the test assembly: make_fixtures.py writes fixtures.*, make_layer_fixtures.py
/// layers.*, make_names_fixtures.py names.*. Tensors are already in DeepSharp's layout (NHWC images, (kh, kw, in, out)
/// kernels, (in, out) dense kernels).
/// </summary>
internal sealed class TorchFixtures
{
    private static readonly string[] Files = ["fixtures", "layers", "names", "metrics"];
    private static readonly Dictionary<string, Lazy<TorchFixtures>> Instances = Files.ToDictionary(f => f, f => new Lazy<TorchFixtures>(() => Load(f)));
    private readonly JsonElement _cases;
    private readonly float[] _data;

    private TorchFixtures(JsonElement cases, float[] data)
    {
        _cases = cases;
        _data = data;
    }

    /// <summary>The folder holding the fixtures.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "torch");

    /// <summary>
    /// One case, e.g. "conv_3x3_s2_same" (file "fixtures") or "depthwise_3x3_s1_valid_m1_n1" (file "layers"); without a
    /// file, from whichever file holds it.
    /// </summary>
    public static TorchCase Case(string name, string? file = null)
    {
        foreach (var f in file is null ? Files : [file])
            if (Instances[f].Value._cases.TryGetProperty(name, out var c)) return new TorchCase(name, c, Instances[f].Value._data);
        throw new KeyNotFoundException($"No case '{name}' in {string.Join(" or ", (file is null ? Files : [file]).Select(f => Path.Combine(Folder, f + ".json")))}. " +
            "Rerun the script in tests/fixtures/torch that makes it.");
    }

    private static TorchFixtures Load(string file)
    {
        string json = Path.Combine(Folder, file + ".json"), bin = Path.Combine(Folder, file + ".bin");
        if (!File.Exists(json) || !File.Exists(bin))
            throw new FileNotFoundException($"PyTorch fixtures {file}.json/{file}.bin not found in {Folder}. They are copied there from tests/fixtures/torch by the test project; run the script there that writes them if they are missing.");
        var bytes = File.ReadAllBytes(bin);
        var data = new float[bytes.Length / 4];
        for (int i = 0; i < data.Length; i++) data[i] = BitConverter.ToSingle(bytes, 4 * i);   // little-endian, like the file
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return new TorchFixtures(doc.RootElement.GetProperty("cases").Clone(), data);
    }
}

/// <summary>The tensors and scalars of one fixture case.</summary>
internal sealed class TorchCase(string name, JsonElement json, float[] data)
{
    public string Name { get; } = name;

    /// <summary>A fresh copy of a stored tensor.</summary>
    public Tensor Tensor(string tensor)
    {
        if (!json.GetProperty("tensors").TryGetProperty(tensor, out var t))
            throw new KeyNotFoundException($"Fixture case '{Name}' has no tensor '{tensor}'.");
        var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int offset = t.GetProperty("offset").GetInt32();
        var result = new Tensor(shape);
        data.AsSpan(offset, result.Size).CopyTo(result.Span);
        return result;
    }

    public double Scalar(string scalar) => json.GetProperty("scalars").GetProperty(scalar).GetDouble();

    /// <summary>A list of numbers stored as one scalar entry.</summary>
    public double[] Numbers(string scalar) => json.GetProperty("scalars").GetProperty(scalar).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public string Text(string scalar) => json.GetProperty("scalars").GetProperty(scalar).GetString()!;

    /// <summary>
    /// Asserts our result matches the stored one: same shape and |ours - torch| ≤ rtol·|torch| + atol·max|torch|.
    /// </summary>
    public void AssertMatches(string tensor, Tensor actual, double rtol = 1e-4, double atol = 1e-5)
    {
        var expected = Tensor(tensor);
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{Name}/{tensor}: shape {DeepSharp.Tensor.FormatShape(actual.Shape)}, PyTorch has {DeepSharp.Tensor.FormatShape(expected.Shape)}.");
        AssertMatches(tensor, expected.Span, actual.Span, rtol, atol);
    }

    public void AssertMatches(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol = 1e-4, double atol = 1e-5)
    {
        double scale = 0;
        foreach (float v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]);
            if (!(diff <= rtol * Math.Abs(expected[i]) + atol * scale))
                Assert.Fail($"{Name}/{what}: element {i} is {actual[i]:G8}, PyTorch gives {expected[i]:G8} (difference {diff:G3}).");
        }
    }
}
