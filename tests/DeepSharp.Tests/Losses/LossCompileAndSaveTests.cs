using System.IO.Compression;
using System.Text.Json.Nodes;
using DeepSharp.Layers;
using DeepSharp.Losses;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Tests.Data;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Losses;

/// <summary>
/// Keras 3's losses as a user meets them: Compile by name (Keras' names and aliases) or by object, saved in a
/// <c>.keras</c> file's compile_config and loaded back with their arguments, fromLogits training, and the errors for
/// bad arguments and labels.
/// </summary>
public class LossCompileAndSaveTests
{
    [Theory]
    [InlineData("categorical_crossentropy", typeof(CategoricalCrossentropy))]
    [InlineData("CategoricalCrossentropy", typeof(CategoricalCrossentropy))]
    [InlineData("sparse_categorical_crossentropy", typeof(SparseCategoricalCrossentropy))]
    [InlineData("binary_crossentropy", typeof(BinaryCrossentropy))]
    [InlineData("bce", typeof(BinaryCrossentropy))]
    [InlineData("mse", typeof(MeanSquaredError))]
    [InlineData("mean_squared_error", typeof(MeanSquaredError))]
    [InlineData("mae", typeof(MeanAbsoluteError))]
    [InlineData("MEAN_ABSOLUTE_ERROR", typeof(MeanAbsoluteError))]
    [InlineData("huber", typeof(Huber))]
    [InlineData("huber_loss", typeof(Huber))]
    [InlineData("hinge", typeof(Hinge))]
    public void CompileTakesKerasNames(string name, Type type)
    {
        var model = new Sequential(new Dense(3, inputDim: 4));
        model.Compile("adam", name);
        Assert.IsType(type, model.Loss);
        var l = (Loss)name;
        Assert.IsType(type, l);
        // Keras' defaults when given by name
        if (l is CategoricalCrossentropy cce) Assert.True(!cce.FromLogits && cce.LabelSmoothing == 0);
        if (l is BinaryCrossentropy bce) Assert.True(!bce.FromLogits && bce.LabelSmoothing == 0);
        if (l is SparseCategoricalCrossentropy scce) Assert.False(scce.FromLogits);
        if (l is Huber h) Assert.Equal(1f, h.Delta);
    }

    [Fact]
    public void EveryTableNameCompiles()
    {
        Assert.Equal(["categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy", "mean_squared_error",
            "mean_absolute_error", "huber", "hinge"], Loss.KnownNames);
        foreach (var name in Loss.KnownNames) Assert.Equal(name, Loss.Get(name).Name);
    }

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new Dense(3, inputDim: 4)).Compile("adam", "huberr"));
        Assert.Contains("unknown loss 'huberr'", e.Message);
        foreach (var name in Loss.KnownNames) Assert.Contains(name, e.Message);
        Assert.Contains("mae", e.Message);
    }

    public static TheoryData<string> Objects => new(
        "cce", "cce_logits_ls", "scce", "scce_logits", "bce", "bce_logits_ls", "mse", "mae", "huber_0.25", "hinge");

    internal static Loss Make(string key) => key switch
    {
        "cce" => new CategoricalCrossentropy(),
        "cce_logits_ls" => new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1),
        "scce" => new SparseCategoricalCrossentropy(),
        "scce_logits" => new SparseCategoricalCrossentropy(fromLogits: true),
        "bce" => new BinaryCrossentropy(),
        "bce_logits_ls" => new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.2),
        "mse" => new MeanSquaredError(),
        "mae" => new MeanAbsoluteError(),
        "huber_0.25" => new Huber(delta: 0.25),
        "hinge" => new Hinge(),
        _ => throw new ArgumentException(key),
    };

    /// <summary>
    /// A compiled model saved with a loss object and loaded: the compile_config holds Keras' serialized object
    /// ({"module": "keras.losses", "class_name", "config": {"name", "reduction", ...arguments}}), and the loaded model's
    /// loss has the same class, arguments and value on a batch, and keeps training.
    /// </summary>
    [Theory]
    [MemberData(nameof(Objects))]
    public void ALossObjectIsSavedWithItsArgumentsAndLoadedBack(string key)
    {
        using var dir = new TempFolder();
        var loss = Make(key);
        // Crossentropies on probabilities get a sigmoid output (positive rows; binary_crossentropy fuses with it).
        bool probabilities = loss.FusedActivation is not null;
        var model = new Sequential(new Dense(5, activation: probabilities ? "sigmoid" : "linear", inputDim: 4));
        model.Compile(new SGD(learningRate: 0.01), loss);
        var (x, y) = (Random(1, [6, 4], -1f, 1f), Targets(loss, 6));
        model.TrainStep(x, y);
        string path = dir.File("model.keras");
        model.Save(path);

        JsonObject saved;
        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("config.json")!.Open())
            saved = JsonNode.Parse(s)!["compile_config"]!["loss"]!.AsObject();
        Assert.Equal("keras.losses", (string?)saved["module"]);
        Assert.Equal(loss.GetType().Name, (string?)saved["class_name"]);
        var config = saved["config"]!.AsObject();
        Assert.Equal("sum_over_batch_size", (string?)config["reduction"]);
        if (loss is CategoricalCrossentropy or BinaryCrossentropy or SparseCategoricalCrossentropy)
            Assert.Equal(key.Contains("logits"), (bool)config["from_logits"]!);
        if (key.EndsWith("_ls")) Assert.Equal(key.StartsWith("cce") ? 0.1 : 0.2, (double)config["label_smoothing"]!);
        if (loss is Huber) Assert.Equal(0.25, (double)config["delta"]!);

        var loaded = Model.Load(path);
        Assert.IsType(loss.GetType(), loaded.Loss);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(loss.GetConfig()), System.Text.Json.JsonSerializer.Serialize(loaded.Loss!.GetConfig()));
        var (g1, g2) = (new float[30], new float[30]);
        var out1 = model.Predict(x);
        Assert.Equal(loss.Compute(out1, null, y, g1), loaded.Loss.Compute(loaded.Predict(x), null, y, g2), 12);
        Assert.Equal(model.ComputeGradients(x, y).Loss, loaded.ComputeGradients(x, y).Loss, 6);
    }

    [Fact]
    public void ALossGivenByNameIsSavedAsItsName()
    {
        using var dir = new TempFolder();
        var model = new Sequential(new Dense(5, inputDim: 4));
        model.Compile("rmsprop", "huber");
        string path = dir.File("model.keras");
        model.Save(path);
        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("config.json")!.Open())
            Assert.Equal("huber", (string?)JsonNode.Parse(s)!["compile_config"]!["loss"]);
        Assert.IsType<Huber>(Model.Load(path).Loss);
    }

    /// <summary>fromLogits with a linear last layer: Fit lowers the loss (the model's outputs are logits).</summary>
    [Theory]
    [InlineData("cce")]
    [InlineData("scce")]
    [InlineData("bce")]
    public void FitWithFromLogitsAndALinearLastLayerLowersTheLoss(string key)
    {
        Loss loss = key switch
        {
            "cce" => new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1),
            "scce" => new SparseCategoricalCrossentropy(fromLogits: true),
            _ => new BinaryCrossentropy(fromLogits: true),
        };
        // Three separable classes in 4-D: class k has feature k near 1, the others near 0.
        int n = 96, classes = loss is BinaryCrossentropy ? 1 : 3;
        var x = Random(7, [n, 4], 0f, 0.3f);
        var y = loss switch
        {
            CategoricalCrossentropy => new Tensor(n, 3),
            SparseCategoricalCrossentropy => new Tensor(n),
            _ => new Tensor(n, 1),
        };
        for (int i = 0; i < n; i++)
        {
            int k = i % 3;
            x[i, k] += 1f;
            if (loss is CategoricalCrossentropy) y[i, k] = 1f;
            else if (loss is SparseCategoricalCrossentropy) y[i] = k;
            else y[i, 0] = k == 0 ? 1f : 0f;
        }
        var model = new Sequential(new Dense(8, activation: "relu", inputDim: 4), new Dense(classes));   // linear: logits
        LayerGradientCheckReinit(model);
        model.Compile(new Adam(learningRate: 0.05), loss);
        double before = model.Evaluate(x, y, verbose: 0).Loss;
        var history = model.Fit(x, y, batchSize: 16, epochs: 15, verbose: 0);
        double after = model.Evaluate(x, y, verbose: 0).Loss;
        Assert.True(after < 0.5 * before, $"{key}: loss {before:F4} before Fit, {after:F4} after ({string.Join(", ", history["loss"].Select(v => v.ToString("F3")))})");
        Assert.Contains(model.Predict(x).Span.ToArray(), v => v < 0 || v > 1);   // outputs are logits, not probabilities
    }

    private static void LayerGradientCheckReinit(Model model) => DeepSharp.Tests.Layers.LayerGradientCheck.Reinitialize(model.Parameters, 3);

    [Fact]
    public void BadArgumentsNameTheLossWhatItGotAndWhatItExpects()
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => new Huber(delta: -1));
        Assert.Contains("Huber", e1.Message); Assert.Contains("-1", e1.Message); Assert.Contains("positive", e1.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Huber(delta: double.NaN));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalCrossentropy(labelSmoothing: 1.5));
        Assert.Contains("CategoricalCrossentropy", e2.Message); Assert.Contains("1.5", e2.Message); Assert.Contains("[0, 1]", e2.Message);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryCrossentropy(labelSmoothing: -0.1));
        Assert.Contains("BinaryCrossentropy", e3.Message); Assert.Contains("-0.1", e3.Message); Assert.Contains("[0, 1]", e3.Message);
    }

    [Theory]
    [InlineData("cce", new[] { 6 }, "categorical_crossentropy", "(6)", "one-hot labels of shape (N, 5)")]
    [InlineData("scce", new[] { 6, 5 }, "sparse_categorical_crossentropy", "(6, 5)", "shape (N) or (N, 1)")]
    [InlineData("bce_logits_ls", new[] { 6, 3 }, "binary_crossentropy", "(6, 3)", "one 0/1 label per output value")]
    [InlineData("huber_0.25", new[] { 6, 3 }, "huber", "(6, 3)", "same shape as the model's output")]
    [InlineData("mae", new[] { 6 }, "mean_absolute_error", "(6)", "same shape as the model's output")]
    [InlineData("hinge", new[] { 6, 5, 1 }, "hinge", "(6, 5, 1)", "same shape as the model's output")]
    public void WrongLabelShapesGetOneErrorNamingTheLoss(string key, int[] labelShape, string name, string got, string expected)
    {
        var model = new Sequential(new Dense(5, inputDim: 4, name: "out"));
        model.Compile(new SGD(), Make(key));
        var e = Assert.Throws<ArgumentException>(() => model.Fit(Random(1, [6, 4]), new Tensor(labelShape), verbose: 0));
        Assert.Contains($"Loss '{name}'", e.Message);
        Assert.Contains($"labels have shape {got}", e.Message);
        Assert.Contains("(None, 5)", e.Message);
        Assert.Contains("'out'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    private static Tensor Targets(Loss loss, int n)
    {
        var y = loss is SparseCategoricalCrossentropy ? new Tensor(n) : new Tensor(n, 5);
        var r = Random(2, [n, 5], 0f, 1f);
        for (int i = 0; i < n; i++)
        {
            if (loss is SparseCategoricalCrossentropy) { y[i] = i % 5; continue; }
            for (int j = 0; j < 5; j++)
                y[i, j] = loss switch
                {
                    CategoricalCrossentropy => j == i % 5 ? 1f : 0f,
                    BinaryCrossentropy or Hinge => r[i, j] < 0.5f ? 0f : 1f,
                    _ => r[i, j],
                };
        }
        return y;
    }
}
