using DeepSharp.Models;
using DeepSharp.Onnx;
using DeepSharp.Saving;
using DeepSharp.Tests.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace DeepSharp.Tests.Onnx;

/// <summary>
/// OnnxModel.Load on small graphs written by tests/fixtures/onnx/make_fixtures.py, against ONNX Runtime on the same
/// files; and the errors for files that cannot be imported.
/// </summary>
[Collection(HeavyOnnxTests.Name)]
public class OnnxModelTests(ITestOutputHelper output)
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "onnx", name);

    /// <summary>ONNX Runtime's output for an NCHW input.</summary>
    private static float[] RunOrt(string path, float[] nchw, int[] shape)
    {
        using var session = new InferenceSession(path);
        var input = new DenseTensor<float>(nchw, shape);
        using var result = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
        return result.Single().AsEnumerable<float>().ToArray();
    }

    private static (Tensor Nhwc, float[] Nchw) Images(int seed, int n, int c, int h, int w)
    {
        var nchw = new float[n * c * h * w];
        var r = new System.Random(seed);
        for (int i = 0; i < nchw.Length; i++) nchw[i] = r.NextSingle() * 4f - 2f;
        var nhwc = new Tensor(n, h, w, c);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        nhwc[b, y, x, ch] = nchw[((b * c + ch) * h + y) * w + x];
        return (nhwc, nchw);
    }

    private void AssertClose(float[] expected, Tensor actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Size);
        float max = 0f;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(expected[i] - actual.Data[i]));
        output.WriteLine($"{what}: max abs diff vs ONNX Runtime {max:g3}");
        Assert.True(max <= tolerance, $"{what}: max abs diff {max} > {tolerance}");
    }

    [Fact]
    public void ConvBatchNormPoolFlattenGemmMatchOnnxRuntime()
    {
        var model = OnnxModel.Load(Fixture("cnn.onnx"));
        Assert.Equal([11, 10, 3], model.InputShape);
        Assert.Contains(model.Layers, l => l.Name == "conv1_pad");   // asymmetric pads became explicit zero padding
        var (x, nchw) = Images(1, 3, 3, 11, 10);
        var expected = new List<float>();
        for (int n = 0; n < 3; n++) expected.AddRange(RunOrt(Fixture("cnn.onnx"), nchw[(n * 330)..((n + 1) * 330)], [1, 3, 11, 10]));
        AssertClose(expected.ToArray(), model.Predict(x), 1e-5f, "cnn.onnx, batch of 3 from a file fixing 1");
    }

    [Fact]
    public void BranchesConstantsAndReshapeMatchOnnxRuntime()
    {
        var model = OnnxModel.Load(Fixture("branches.onnx"));
        var (x, nchw) = Images(2, 4, 3, 8, 10);
        AssertClose(RunOrt(Fixture("branches.onnx"), nchw, [4, 3, 8, 10]), model.Predict(x), 1e-5f, "branches.onnx");
    }

    [Fact]
    public void ImportedModelsTrainAndSurviveSaveAndLoad()
    {
        var model = OnnxModel.Load(Fixture("cnn.onnx"));
        var (x, _) = Images(3, 16, 3, 11, 10);
        var y = new Tensor(16, 5);
        for (int i = 0; i < 16; i++) y[i, i % 5] = 1f;
        model.Compile(optimizer: new DeepSharp.Optimizers.Adam(learningRate: 0.01f), loss: "categorical_crossentropy");
        var history = model.Fit(x, y, epochs: 20, batchSize: 16, verbose: 0);
        var loss = history["loss"];
        Assert.True(loss[^1] < 0.5 * loss[0], $"loss went from {loss[0]} to {loss[^1]}");
        using var dir = new TempFolder();
        model.Save(dir.File("cnn.keras"));
        var loaded = Model.Load(dir.File("cnn.keras"));
        Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
    }

    [Fact]
    public void UnsupportedOperatorsAreListedAllAtOnce()
    {
        var e = Assert.Throws<ModelFileException>(() => OnnxModel.Load(Fixture("unsupported.onnx")));
        Assert.Contains("unsupported.onnx", e.Message);
        Assert.Contains("Erf, HardSwish", e.Message);
    }

    [Fact]
    public void TruncatedAndForeignFilesAreOneClearError()
    {
        using var dir = new TempFolder();
        var bytes = File.ReadAllBytes(Fixture("cnn.onnx"));
        var truncated = dir.File("truncated.onnx");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<ModelFileException>(() => OnnxModel.Load(truncated));
        Assert.Contains("truncated.onnx", e.Message);
        var png = dir.File("image.onnx");
        File.WriteAllBytes(png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
        Assert.Contains("image.onnx", Assert.Throws<ModelFileException>(() => OnnxModel.Load(png)).Message);
        Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(dir.File("missing.onnx")));
    }

    [Theory]
    [InlineData("cnn.onnx")]
    [InlineData("branches.onnx")]
    public void DamagedFilesOnlyRaiseModelFileException(string fixture)
    {
        // Seeded byte flips, truncations and splices of a valid file: every outcome is a model or a ModelFileException.
        var original = File.ReadAllBytes(Fixture(fixture));
        var r = new System.Random(42);
        using var dir = new TempFolder();
        int loaded = 0, refused = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])original.Clone();
            switch (trial % 3)
            {
                case 0: for (int k = 0; k < 1 + r.Next(4); k++) bytes[r.Next(bytes.Length)] = (byte)r.Next(256); break;
                case 1: bytes = bytes[..r.Next(bytes.Length)]; break;
                default:
                    int at = r.Next(bytes.Length), len = r.Next(1, 16);
                    bytes = [.. bytes[..at], .. Enumerable.Range(0, len).Select(_ => (byte)r.Next(256)), .. bytes[at..]];
                    break;
            }
            var path = dir.File($"damaged{trial}.onnx");
            File.WriteAllBytes(path, bytes);
            try { OnnxModel.Load(path); loaded++; }
            catch (ModelFileException e) { Assert.Contains(path, e.Message); refused++; }
        }
        output.WriteLine($"{fixture}: {loaded} damaged files still imported, {refused} refused with ModelFileException");
        Assert.True(refused > 0);
    }

    [Fact]
    public void DeclaredSizesAreCheckedAgainstTheData()
    {
        // A weight whose dims claim far more values than the file holds: refused before allocating.
        var model = DeepSharp.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixture("cnn.onnx")));
        var w = model.Graph.Initializer.First(t => t.Name == "wd");
        w.Dims[0] = 1_000_000_000;
        using var dir = new TempFolder();
        var path = dir.File("huge.onnx");
        using (var f = File.Create(path)) Google.Protobuf.MessageExtensions.WriteTo(model, f);
        var e = Assert.Throws<ModelFileException>(() => OnnxModel.Load(path));
        Assert.Contains("'wd'", e.Message);
        Assert.Contains("huge.onnx", e.Message);
    }
}
