using System.IO.Compression;
using System.Text;
using DeepSharp.Data;

namespace DeepSharp.Tests.Data;

/// <summary>Mnist.Load on files the tests write: IDX folders and Keras-style .npz archives.</summary>
public class MnistFilesTests
{
    /// <summary>Writes a .npy entry exactly as numpy 1.x's np.save does for a uint8 array (format version 1.0).</summary>
    private static void WriteNpy(ZipArchive zip, string name, byte[] data, params int[] shape)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = $"{{'descr': '|u1', 'fortran_order': False, 'shape': {shapeText}, }}";
        // numpy pads with spaces and a final newline so that magic (6) + version (2) + length (2) + header is a multiple of 64.
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - 10 - 1) + "\n";
        using var s = zip.CreateEntry(name + ".npy", CompressionLevel.Optimal).Open();
        s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        s.Write(BitConverter.GetBytes((ushort)header.Length));
        s.Write(Encoding.ASCII.GetBytes(header));
        s.Write(data);
    }

    private static byte[] Pixels(int count, int seed)
    {
        var b = new byte[count * 28 * 28];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static void WriteNpz(string path, byte[] xTrain, byte[] yTrain, byte[] xTest, byte[] yTest)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        WriteNpy(zip, "x_test", xTest, yTest.Length, 28, 28);
        WriteNpy(zip, "x_train", xTrain, yTrain.Length, 28, 28);
        WriteNpy(zip, "y_train", yTrain, yTrain.Length);
        WriteNpy(zip, "y_test", yTest, yTest.Length);
    }

    [Fact]
    public void LoadsKerasStyleNpz()
    {
        using var dir = new TempFolder();
        string npz = dir.File("mnist.npz");
        byte[] xTrain = Pixels(3, 1), xTest = Pixels(2, 2);
        WriteNpz(npz, xTrain, [5, 0, 4], xTest, [7, 2]);

        var (train, test) = Mnist.Load(npz, download: false);

        Assert.Equal(new[] { 3, 28, 28, 1 }, train.Images.Shape.ToArray());
        Assert.Equal(new[] { 2, 28, 28, 1 }, test.Images.Shape.ToArray());
        Assert.Equal(new[] { 5, 0, 4 }, train.Labels);
        Assert.Equal(new[] { 7, 2 }, test.Labels);
        Assert.Equal(xTrain[988], train.Images[1, 7, 8, 0]);          // flat index 784 + 7*28 + 8 = 988
        Assert.Equal(xTest.Select(b => (float)b), test.Images.Span.ToArray());
        Assert.Equal(npz, train.Source);
    }

    [Fact]
    public void FolderWithNpzIsFound()
    {
        using var dir = new TempFolder();
        WriteNpz(dir.File("mnist.npz"), Pixels(2, 3), [1, 1], Pixels(1, 4), [9]);
        var (train, test) = Mnist.Load(dir.Path, download: false);
        Assert.Equal(2, train.Count);
        Assert.Equal(1, test.Count);
    }

    [Fact]
    public void TruncatedNpzErrorNamesTheFileAndTheFix()
    {
        using var dir = new TempFolder();
        string npz = dir.File("mnist.npz");
        WriteNpz(npz, Pixels(3, 1), [5, 0, 4], Pixels(2, 2), [7, 2]);
        var bytes = File.ReadAllBytes(npz);
        File.WriteAllBytes(npz, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(npz, download: false));
        Assert.Contains(npz, e.Message);
        Assert.Contains("download it again", e.Message);
    }

    [Fact]
    public void NpzWithoutTheMnistArraysIsRejected()
    {
        using var dir = new TempFolder();
        string npz = dir.File("other.npz");
        using (var zip = ZipFile.Open(npz, ZipArchiveMode.Create))
            WriteNpy(zip, "weights", new byte[4], 4);
        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(npz, download: false));
        Assert.Contains("x_train", e.Message);
        Assert.Contains(npz, e.Message);
    }

    [Fact]
    public void LoadsAFolderOfIdxFilesPlainAndGzipped()
    {
        using var dir = new TempFolder();
        byte[] xTrain = Pixels(4, 5), xTest = Pixels(2, 6);
        IdxFile.Write(dir.File("train-images-idx3-ubyte.gz"), xTrain, 4, 28, 28);
        IdxFile.Write(dir.File("train-labels-idx1-ubyte"), new byte[] { 0, 1, 2, 3 }, 4);
        IdxFile.Write(dir.File("t10k-images-idx3-ubyte"), xTest, 2, 28, 28);
        IdxFile.Write(dir.File("t10k-labels-idx1-ubyte.gz"), new byte[] { 9, 8 }, 2);

        var (train, test) = Mnist.Load(dir.Path, download: false);

        Assert.Equal(new[] { 0, 1, 2, 3 }, train.Labels);
        Assert.Equal(new[] { 9, 8 }, test.Labels);
        Assert.Equal(xTrain.Select(b => (float)b), train.Images.Span.ToArray());
    }

    [Fact]
    public void IncompleteIdxFolderSaysWhichFilesAreMissing()
    {
        using var dir = new TempFolder();
        IdxFile.Write(dir.File("train-images-idx3-ubyte.gz"), Pixels(1, 7), 1, 28, 28);
        IdxFile.Write(dir.File("train-labels-idx1-ubyte.gz"), new byte[] { 3 }, 1);

        var e = Assert.Throws<FileNotFoundException>(() => Mnist.Load(dir.Path, download: false));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains(dir.Path, e.Message);
    }

    [Fact]
    public void ImageAndLabelCountMismatchIsReported()
    {
        using var dir = new TempFolder();
        IdxFile.Write(dir.File("train-images-idx3-ubyte"), Pixels(3, 8), 3, 28, 28);
        IdxFile.Write(dir.File("train-labels-idx1-ubyte"), new byte[] { 3, 4 }, 2);
        IdxFile.Write(dir.File("t10k-images-idx3-ubyte"), Pixels(1, 9), 1, 28, 28);
        IdxFile.Write(dir.File("t10k-labels-idx1-ubyte"), new byte[] { 1 }, 1);

        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(dir.Path, download: false));
        Assert.Contains("3 images", e.Message);
        Assert.Contains("2 labels", e.Message);
    }

    [Fact]
    public void MissingPathIsAClearError()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => Mnist.Load(dir.File("no-such.npz"), download: false));
        Assert.Contains("no-such.npz", e.Message);
    }

    [Fact]
    public void SearchPrefersTheCachedNpzThenIdxFoldersThenTheSample()
    {
        using var dir = new TempFolder();
        string npz = dir.File("mnist.npz");
        string idx = dir.File("mnist");

        // Nothing there: the embedded sample, and a warning through the library's logger saying so and why (issue 26).
        var log = new WarningLog();
        var (sampleTrain, _) = Mnist.Search(npz, [idx], download: false, fallBackToSample: true, log)!.Value;
        Assert.Equal(Mnist.SampleTrainCount, sampleTrain.Count);
        Assert.Contains("sample", sampleTrain.Source);
        string warning = Assert.Single(log.Warnings);
        Assert.Contains("Full MNIST was not found", warning);
        Assert.Contains(npz, warning);                       // where it looked
        Assert.Contains("download disabled", warning);       // why nothing came
        Assert.Contains("MNIST sample", warning);
        Assert.Null(Mnist.Search(npz, [idx], download: false, fallBackToSample: false));

        // An IDX folder.
        IdxFile.Write(Path.Combine(idx, "train-images-idx3-ubyte"), Pixels(2, 1), 2, 28, 28);
        IdxFile.Write(Path.Combine(idx, "train-labels-idx1-ubyte"), new byte[] { 1, 2 }, 2);
        IdxFile.Write(Path.Combine(idx, "t10k-images-idx3-ubyte"), Pixels(1, 2), 1, 28, 28);
        IdxFile.Write(Path.Combine(idx, "t10k-labels-idx1-ubyte"), new byte[] { 3 }, 1);
        var (idxTrain, _) = Mnist.Search(npz, [idx], download: false, fallBackToSample: true)!.Value;
        Assert.Equal(2, idxTrain.Count);
        Assert.Contains(idx, idxTrain.Source);

        // The Keras cache file wins.
        WriteNpz(npz, Pixels(5, 3), [0, 1, 2, 3, 4], Pixels(1, 4), [5]);
        var (npzTrain, _) = Mnist.Search(npz, [idx], download: false, fallBackToSample: true)!.Value;
        Assert.Equal(5, npzTrain.Count);
        Assert.Equal(npz, npzTrain.Source);
    }

    private sealed class WarningLog : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Warnings { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == Microsoft.Extensions.Logging.LogLevel.Warning) Warnings.Add(formatter(state, exception));
        }
    }
}
