namespace DeepSharp.Data;

/// <summary>
/// Fashion-MNIST (Zalando): 60,000 training and 10,000 test grayscale 28×28 images of clothing in 10 classes,
/// a drop-in replacement for MNIST, as Keras' <c>dataset_fashion_mnist()</c>. There is no offline sample:
/// install Debian's package (<c>apt-get install dataset-fashion-mnist</c>) or let it download.
/// </summary>
/// <example>
/// <code>
/// var (train, test) = FashionMnist.Load();
/// Console.WriteLine(FashionMnist.ClassNames[train.Labels[0]]);   // "Ankle boot"
/// </code>
/// </example>
public static class FashionMnist
{
    /// <summary>The folder where Debian's <c>dataset-fashion-mnist</c> package puts the four gzipped IDX files.</summary>
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Keras' download folder; the file names are those of <see cref="DatasetFiles.IdxNames"/> plus ".gz".</summary>
    public const string DownloadBaseUrl = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";

    /// <summary>The names of the 10 classes, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads Fashion-MNIST. Looks, in order, at: <paramref name="path"/> when given (a folder of the four IDX files,
    /// plain or .gz); Keras' cache <c>~/.keras/datasets/fashion-mnist/</c>; <c>$DEEPSHARP_DATA/fashion-mnist/</c>;
    /// Debian's <c>/usr/share/datasets/fashion-mnist/</c>; then, when <paramref name="download"/>, downloads Keras' four
    /// files into its cache. <see cref="LabeledImages.Source"/> says which folder was used.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing was found (the message says where it looked and how to install it).</exception>
    /// <exception cref="InvalidDataException">A file that was found is truncated or not in the expected format.</exception>
    /// <param name="path">A folder holding the four files; searched for when null.</param>
    /// <param name="download">Download into Keras' cache when nothing is found.</param>
    /// <param name="logger">Where download messages go; <see cref="Logging.DeepSharpLogging.Logger"/> when null.</param>
    public static (LabeledImages Train, LabeledImages Test) Load(string? path = null, bool download = true, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        if (path is not null)
        {
            if (!Directory.Exists(path))
                throw new FileNotFoundException($"Fashion-MNIST folder '{path}' does not exist. Pass a folder holding " +
                    $"{string.Join(", ", DatasetFiles.IdxNames)} (each plain or .gz), or call FashionMnist.Load() without a path.", path);
            return DatasetFiles.TryReadIdxFolder(path, "Fashion-MNIST")
                ?? throw new FileNotFoundException($"Folder '{path}' holds no Fashion-MNIST files: expected " +
                    $"{string.Join(", ", DatasetFiles.IdxNames)} (each plain or .gz).", path);
        }
        string cache = Path.Combine(DatasetFiles.KerasDatasets, "fashion-mnist");
        var folders = new List<string> { cache };
        if (DatasetFiles.DeepSharpData("fashion-mnist") is { } extra) folders.Add(extra);
        folders.Add(DebianFolder);
        return Search(folders, cache, download, logger);
    }

    /// <summary>The search behind <see cref="Load"/>, with the places given explicitly (for tests).</summary>
    internal static (LabeledImages Train, LabeledImages Test) Search(IReadOnlyList<string> folders, string downloadFolder, bool download,
        Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        foreach (string folder in folders)
        {
            bool willDownload = download && folder == downloadFolder;
            if (DatasetFiles.TryReadIdxFolder(folder, "Fashion-MNIST", partialIsMissing: willDownload) is { } found) return found;
        }

        string why = "download disabled";
        if (download)
        {
            why = "";
            foreach (string name in DatasetFiles.IdxNames)
            {
                string file = name + ".gz";
                if (File.Exists(Path.Combine(downloadFolder, file))) continue;
                string? error = DatasetFiles.TryDownload(DownloadBaseUrl + file, Path.Combine(downloadFolder, file), tmp => IdxFile.Read(tmp), logger);
                if (error is not null) { why = error; break; }
            }
            if (why == "" && DatasetFiles.TryReadIdxFolder(downloadFolder, "Fashion-MNIST") is { } downloaded) return downloaded;
        }
        throw new FileNotFoundException(
            $"Fashion-MNIST was not found: looked in {string.Join(", ", folders)} ({why}). " +
            "Install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu, files in /usr/share/datasets/fashion-mnist), " +
            $"or put {string.Join(", ", DatasetFiles.IdxNames.Select(n => n + ".gz"))} into {downloadFolder}, " +
            "or pass their folder to FashionMnist.Load(path).");
    }
}
