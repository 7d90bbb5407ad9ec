using System.Text.Json;

namespace DeepSharp.Tests.Ops;

/// <summary>
/// The PyTorch goldens written by tests/fixtures/torch/make_fixtures.py: fixtures.json (the index) and
/// fixtures.bin (little-endian float32), copied next to the test assembly; make_layer_fixtures.py writes layers.json
/// and layers.bin in the same format (<see cref="Case(string, string)"/> with file "layers"). Tensors are already in
/// DeepSharp's layout (NHWC images, (kh, kw, in, out) kernels, (in, out) dense kernels).
/// </summary>
internal sealed class TorchFixtures
{
    private static readonly Lazy<TorchFixtures> Instance = new(() => Load("fixtures"));
    private static readonly Lazy<TorchFixtures> Layers = new(() => Load("layers"));
    private readonly JsonElement _cases;
    private readonly float[] _data;

    private TorchFixtures(JsonElement cases, float[] data)
    {
        _cases = cases;
        _data = data;
    }

    /// <summary>The folder holding the fixtures.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "torch");

    /// <summary>One case, e.g. "conv_3x3_s2_same" (file "fixtures") or "depthwise_3x3_s1_valid_m1_n1" (file "layers").</summary>
    public static TorchCase Case(string name, string file = "fixtures")
    {
        var f = file == "layers" ? Layers.Value : Instance.Value;
        if (!f._cases.TryGetProperty(name, out var c))
            throw new KeyNotFoundException($"No case '{name}' in {Path.Combine(Folder, file + ".json")}. Rerun its script in tests/fixtures/torch if the script has it.");
        return new TorchCase(name, c, f._data);
    }

    private static TorchFixtures Load(string file)
    {
        string json = Path.Combine(Folder, file + ".json"), bin = Path.Combine(Folder, file + ".bin");
        if (!File.Exists(json) || !File.Exists(bin))
            throw new FileNotFoundException($"PyTorch fixtures {file}.json/.bin not found in {Folder}. They are copied there from tests/fixtures/torch by the test project; run its script there (make_fixtures.py or make_layer_fixtures.py) if they are missing.");
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
