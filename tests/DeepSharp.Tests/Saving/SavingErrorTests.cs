using System.IO.Compression;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Saving;
using DeepSharp.Tests.Data;
using static DeepSharp.Tests.Saving.SavingFixtures;

namespace DeepSharp.Tests.Saving;

/// <summary>Bad files give errors that name the file and say what is wrong.</summary>
public class SavingErrorTests
{
    [Fact]
    public void TruncatedFile_NamesTheFile_AndSaysTruncated()
    {
        using var dir = new TempFolder();
        string path = dir.File("mnist.keras");
        MnistModel().Save(path);
        var bytes = File.ReadAllBytes(path);
        foreach (int keep in new[] { bytes.Length / 2, bytes.Length - 30, 100 })
        {
            string cut = dir.File($"cut-{keep}.keras");
            File.WriteAllBytes(cut, bytes[..keep]);
            var e = Assert.Throws<ModelFileException>(() => Model.Load(cut));
            Assert.Contains(cut, e.Message);
            Assert.Contains("truncated", e.Message);
            Assert.Equal(cut, e.FilePath);
        }
    }

    [Fact]
    public void NonZipFile_SaysItIsNotAZipArchive()
    {
        using var dir = new TempFolder();
        string path = dir.File("notes.keras");
        File.WriteAllText(path, "these are not the weights you are looking for");
        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a zip archive", e.Message);

        File.WriteAllBytes(path, []);
        Assert.Contains("empty", Assert.Throws<ModelFileException>(() => Model.Load(path)).Message);
    }

    [Fact]
    public void WeightsFileGivenToLoad_PointsToLoadWeights()
    {
        using var dir = new TempFolder();
        string path = dir.File("mnist.weights.h5");
        MnistModel().SaveWeights(path);
        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Contains("LoadWeights", e.Message);
    }

    [Fact]
    public void MissingFile_And_MissingFolder_AreClear()
    {
        using var dir = new TempFolder();
        string missing = dir.File("nope.keras");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => Model.Load(missing)).Message);
        Assert.Throws<FileNotFoundException>(() => MnistModel().LoadWeights(missing));
        string inMissingFolder = Path.Combine(dir.Path, "no-such-folder", "m.keras");
        Assert.Contains("does not exist", Assert.Throws<DirectoryNotFoundException>(() => MnistModel().Save(inMissingFolder)).Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void CorruptWeightsInsideTheArchive_AreWrapped()
    {
        using var dir = new TempFolder();
        string path = dir.File("mnist.keras");
        MnistModel().Save(path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("model.weights.h5")!.Delete();
            using var s = zip.CreateEntry("model.weights.h5").Open();
            s.Write("not hdf5 at all, just text"u8);
        }
        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("model.weights.h5", e.Message);
        Assert.Contains("HDF5", e.Message);
    }

    [Fact]
    public void UnknownLayerClass_NamesItAndTheSupportedOnes()
    {
        using var dir = new TempFolder();
        string path = dir.File("mnist.keras");
        MnistModel().Save(path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("config.json")!;
            string json;
            using (var r = new StreamReader(entry.Open())) json = r.ReadToEnd();
            entry.Delete();
            using var w = new StreamWriter(zip.CreateEntry("config.json").Open());
            w.Write(json.Replace("\"class_name\":\"Flatten\"", "\"class_name\":\"Conv3D\""));
        }
        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Contains("'Conv3D'", e.Message);
        Assert.Contains("Conv2D", e.Message);
        Assert.Contains("BatchNormalization", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ShapeMismatch_NamesLayerWeightAndBothShapes()
    {
        using var dir = new TempFolder();
        string path = dir.File("small.weights.h5");
        new Sequential(new Dense(8, inputDim: 4, name: "hidden"), new Dense(3, name: "out")).SaveWeights(path);
        var other = new Sequential(new Dense(8, inputDim: 4, name: "hidden"), new Dense(5, name: "out"));
        var e = Assert.Throws<ModelFileException>(() => other.LoadWeights(path));
        Assert.Contains("'out'", e.Message);
        Assert.Contains("'kernel'", e.Message);
        Assert.Contains("(8, 3)", e.Message);
        Assert.Contains("(8, 5)", e.Message);
        Assert.Contains(path, e.Message);

        var fewer = new Sequential(new Dense(8, inputDim: 4, useBias: false), new Dense(3));
        var e2 = Assert.Throws<ModelFileException>(() => fewer.LoadWeights(path));
        Assert.Contains("expects 1 weights", e2.Message);
    }

    [Fact]
    public void LayerRegistry_RegistersCustomClasses()
    {
        Assert.Contains("Conv2D", LayerRegistry.ClassNames);
        Assert.Contains("Sequential", LayerRegistry.ClassNames);
        LayerRegistry.Register("Relu6ForTest", c => new Activation("relu", c.Name));
        Assert.Contains("Relu6ForTest", LayerRegistry.ClassNames);
    }
}
