using DeepSharp.Data;

namespace DeepSharp.Tests.Data;

/// <summary>Skips a test when Debian's dataset-fashion-mnist package is not installed (.ci/run installs it).</summary>
public sealed class FashionMnistInstalledFactAttribute : FactAttribute
{
    public FashionMnistInstalledFactAttribute()
    {
        if (!File.Exists(Path.Combine(FashionMnist.DebianFolder, "train-images-idx3-ubyte.gz")))
            Skip = $"Fashion-MNIST is not installed in {FashionMnist.DebianFolder}: run `apt-get install -y dataset-fashion-mnist` to run this test.";
    }
}

public class FashionMnistTests
{
    [FashionMnistInstalledFact]
    public void LoadsTheDebianPackageFiles()
    {
        var (train, test) = FashionMnist.Load(FashionMnist.DebianFolder, download: false);

        Assert.Equal(new[] { 60000, 28, 28, 1 }, train.Images.Shape.ToArray());
        Assert.Equal(new[] { 10000, 28, 28, 1 }, test.Images.Shape.ToArray());
        // Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(6000, train.Labels.Count(l => l == c)));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, test.Labels.Count(l => l == c)));
        Assert.Equal(255f, System.Numerics.Tensors.TensorPrimitives.Max(train.Images.Span));
        Assert.Equal(0f, System.Numerics.Tensors.TensorPrimitives.Min(test.Images.Span));
        Assert.Contains(FashionMnist.DebianFolder, train.Source);
    }

    [Fact]
    public void NotFoundErrorSaysWhereItLookedAndHowToInstall()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() =>
            FashionMnist.Search([dir.File("a"), dir.File("b")], dir.File("a"), download: false));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains(dir.File("b"), e.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public void LoadsAFolderTheUserGives()
    {
        using var dir = new TempFolder();
        IdxFile.Write(dir.File("train-images-idx3-ubyte.gz"), new byte[2 * 784], 2, 28, 28);
        IdxFile.Write(dir.File("train-labels-idx1-ubyte.gz"), new byte[] { 9, 0 }, 2);
        IdxFile.Write(dir.File("t10k-images-idx3-ubyte.gz"), new byte[784], 1, 28, 28);
        IdxFile.Write(dir.File("t10k-labels-idx1-ubyte.gz"), new byte[] { 5 }, 1);

        var (train, test) = FashionMnist.Load(dir.Path, download: false);

        Assert.Equal(new[] { 9, 0 }, train.Labels);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[train.Labels[0]]);
        Assert.Equal("Sandal", FashionMnist.ClassNames[test.Labels[0]]);
    }

    [Fact]
    public void HasTenClassNames() => Assert.Equal(10, FashionMnist.ClassNames.Count);
}
