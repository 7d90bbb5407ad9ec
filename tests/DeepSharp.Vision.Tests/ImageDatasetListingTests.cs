using System.Text.Json;
using DeepSharp.Logging;

namespace DeepSharp.Vision.Tests;

/// <summary>
/// ImageDataset.FromDirectory lists, shuffles and splits a real folder as Keras 3 does: expected.json holds what Keras'
/// own listing code (tests/fixtures/image_dataset/make_fixtures.py, numpy's RandomState) gives for the committed folder.
/// </summary>
[Collection("DeepSharpLogging")]
public class ImageDatasetListingTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "image_dataset");
    private static readonly string Flowers = Path.Combine(Fixture, "flowers");

    private static JsonElement Case(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture, "expected.json")));
        return doc.RootElement.GetProperty("cases").GetProperty(name).Clone();
    }

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture, "expected.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateObject()) data.Add(c.Name);
        return data;
    }

    private static string[] Relative(IEnumerable<string> paths) => paths.Select(p => Path.GetRelativePath(Flowers, p).Replace('\\', '/')).ToArray();

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ListsShufflesAndSplits_AsKeras(string name)
    {
        var c = Case(name);
        bool shuffle = c.GetProperty("shuffle").GetBoolean();
        int? seed = c.TryGetProperty("seed", out var s) ? s.GetInt32() : null;
        double? split = c.TryGetProperty("validation_split", out var v) ? v.GetDouble() : null;
        Subset? subset = c.TryGetProperty("subset", out var sub) ? (sub.GetString() == "training" ? Subset.Training : Subset.Validation) : null;
        string labels = c.GetProperty("labels").ValueKind == JsonValueKind.Null ? "none" : c.GetProperty("labels").GetString()!;
        int[]? explicitLabels = labels == "explicit" ? c.GetProperty("explicit_labels").EnumerateArray().Select(e => e.GetInt32()).ToArray() : null;
        string[]? classNames = c.TryGetProperty("class_names", out var cn) && cn.ValueKind == JsonValueKind.Array && labels == "inferred" && name.StartsWith("class_names", StringComparison.Ordinal)
            ? cn.EnumerateArray().Select(e => e.GetString()!).ToArray() : null;

        var log = new CapturingLogger();
        var before = DeepSharpLogging.Logger;
        DeepSharpLogging.Logger = log;
        ImageDataset ds;
        try
        {
            ds = ImageDataset.FromDirectory(Flowers, labels: explicitLabels, labelMode: labels == "none" ? LabelMode.None : LabelMode.Int,
                classNames: classNames, shuffle: shuffle, seed: seed, validationSplit: split, subset: subset, imageSize: (8, 8));
        }
        finally { DeepSharpLogging.Logger = before; }

        Assert.Equal(c.GetProperty("files").EnumerateArray().Select(e => e.GetString()!), Relative(ds.FilePaths));
        var expectedLabels = c.GetProperty("label_values");
        if (expectedLabels.ValueKind == JsonValueKind.Null) Assert.Null(ds.Labels);
        else Assert.Equal(expectedLabels.EnumerateArray().Select(e => e.GetInt32()), ds.Labels!);
        var expectedNames = c.GetProperty("class_names");
        if (expectedNames.ValueKind == JsonValueKind.Null) Assert.Null(ds.ClassNames);
        else Assert.Equal(expectedNames.EnumerateArray().Select(e => e.GetString()!), ds.ClassNames!);
        // Keras' messages, word for word, to the logger (never the console).
        Assert.Equal(c.GetProperty("messages").EnumerateArray().Select(e => e.GetString()!), log.Messages.Select(m => m.Text).Where(t => t.Contains(" files", StringComparison.Ordinal)));   // other tests may log meanwhile
    }

    [Theory]
    [InlineData(42, 0.2)]
    [InlineData(43, 0.2)]
    [InlineData(7, 0.5)]
    public void Split_SameSeedSameFiles_Disjoint_Covering_SizesAsKeras(int seed, double split)
    {
        var train = ImageDataset.FromDirectory(Flowers, seed: seed, validationSplit: split, subset: Subset.Training, verbose: false);
        var val = ImageDataset.FromDirectory(Flowers, seed: seed, validationSplit: split, subset: Subset.Validation, verbose: false);
        var (bothTrain, bothVal) = ImageDataset.FromDirectorySplit(Flowers, split, seed: seed, verbose: false);
        Assert.Equal(train.FilePaths, bothTrain.FilePaths);
        Assert.Equal(val.FilePaths, bothVal.FilePaths);
        Assert.Equal(train.FilePaths, ImageDataset.FromDirectory(Flowers, seed: seed, validationSplit: split, subset: Subset.Training, verbose: false).FilePaths);
        Assert.Empty(train.FilePaths.Intersect(val.FilePaths));
        Assert.Equal(21, train.FilePaths.Union(val.FilePaths).Count());
        Assert.Equal((int)(split * 21), val.FilePaths.Count);
        // The datasets read exactly those files, each once per epoch (labels checked by the class colour in ImageDatasetTests).
        Assert.Equal(val.FilePaths.Count, val.Sum(e => e.X.Dim(0)));
        Assert.Equal((val.FilePaths.Count + 31) / 32, val.Cardinality);
    }

    [Fact]
    public void WithoutASeed_TheFileOrderIsShuffled_AndTheSeedIsReported()
    {
        var ds = ImageDataset.FromDirectory(Flowers, verbose: false);
        Assert.InRange(ds.Seed, 0, 999_999);
        var again = ImageDataset.FromDirectory(Flowers, seed: ds.Seed, verbose: false);
        Assert.Equal(ds.FilePaths, again.FilePaths);
    }
}
