using System.Net;
using System.Security.Cryptography;
using DeepSharp.Logging;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Data;

/// <summary>
/// What the dataset loaders share: where Keras keeps its cache, how an MNIST-format folder of four IDX
/// files is found and read, and how a file is downloaded safely (temporary name, checked, then renamed).
/// </summary>
internal static class DatasetFiles
{
    /// <summary>The four IDX files of MNIST and Fashion-MNIST, without ".gz".</summary>
    public static readonly string[] IdxNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Keras' cache folder: <c>$KERAS_HOME/datasets</c> or <c>~/.keras/datasets</c>.</summary>
    public static string KerasDatasets
    {
        get
        {
            string? kerasHome = Environment.GetEnvironmentVariable("KERAS_HOME");
            if (string.IsNullOrEmpty(kerasHome))
                kerasHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".keras");
            return Path.Combine(kerasHome, "datasets");
        }
    }

    /// <summary><c>$DEEPSHARP_DATA/<paramref name="name"/></c>, or null when the variable is not set.</summary>
    public static string? DeepSharpData(string name)
    {
        string? root = Environment.GetEnvironmentVariable("DEEPSHARP_DATA");
        return string.IsNullOrEmpty(root) ? null : Path.Combine(root, name);
    }

    /// <summary>The path of one IDX file in a folder, plain or gzipped, or null when neither exists.</summary>
    public static string? FindIdx(string folder, string name)
    {
        foreach (string candidate in new[] { name, name + ".gz" })
        {
            string p = Path.Combine(folder, candidate);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>
    /// Reads a folder holding the four IDX files. Returns null when none of them is there; throws when only
    /// some are (a half-copied dataset should not be silently skipped), unless <paramref name="partialIsMissing"/>
    /// (a download folder whose missing files will be fetched).
    /// </summary>
    public static (LabeledImages Train, LabeledImages Test)? TryReadIdxFolder(string folder, string datasetName, bool partialIsMissing = false)
    {
        if (!Directory.Exists(folder)) return null;
        var paths = IdxNames.Select(n => FindIdx(folder, n)).ToArray();
        if (paths.All(p => p is null)) return null;
        var missing = IdxNames.Where((n, i) => paths[i] is null).ToArray();
        if (missing.Length > 0 && partialIsMissing) return null;
        if (missing.Length > 0)
            throw new FileNotFoundException($"{datasetName} folder '{folder}' is incomplete: {string.Join(", ", missing)} (or .gz) missing. " +
                $"It needs all four files: {string.Join(", ", IdxNames)} (each plain or .gz). Copy the missing files there, or delete the folder.");
        return (ReadPair(paths[0]!, paths[1]!), ReadPair(paths[2]!, paths[3]!));
    }

    /// <summary>Reads matching image and label IDX files into a <see cref="LabeledImages"/>.</summary>
    public static LabeledImages ReadPair(string imagesPath, string labelsPath)
    {
        var (pixels, imageShape) = IdxFile.Read(imagesPath);
        var (labels, labelShape) = IdxFile.Read(labelsPath);
        return FromBytes(pixels, imageShape, labels, labelShape, imagesPath, labelsPath,
                         Path.GetDirectoryName(Path.GetFullPath(imagesPath))!);
    }

    /// <summary>Builds a <see cref="LabeledImages"/> from unsigned-byte arrays, checking their shapes.</summary>
    public static LabeledImages FromBytes(byte[] pixels, int[] imageShape, byte[] labels, int[] labelShape,
                                          string imagesName, string labelsName, string source)
    {
        if (imageShape.Length != 3)
            throw new InvalidDataException($"Image file '{imagesName}' has shape {Tensor.FormatShape(imageShape)}; expected (count, height, width) such as (60000, 28, 28). Check that it is an image file, not a label file.");
        if (labelShape.Length != 1)
            throw new InvalidDataException($"Label file '{labelsName}' has shape {Tensor.FormatShape(labelShape)}; expected (count). Check that it is a label file, not an image file.");
        if (labelShape[0] != imageShape[0])
            throw new InvalidDataException($"'{imagesName}' holds {imageShape[0]} images but '{labelsName}' holds {labelShape[0]} labels; they must match. Check that the two files belong to the same split (train or t10k/test).");

        var values = GC.AllocateUninitializedArray<float>(pixels.Length);
        for (int i = 0; i < pixels.Length; i++) values[i] = pixels[i];
        var images = new Tensor(values, imageShape[0], imageShape[1], imageShape[2], 1);
        var ints = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) ints[i] = labels[i];
        return new LabeledImages(images, ints, source);
    }

    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="destination"/>: written under a temporary name,
    /// checked by <paramref name="check"/> (which throws on a bad file), then renamed. Connecting times out
    /// after 15 s so an offline machine fails fast. Returns null on success, else why it failed.
    /// </summary>
    public static string? TryDownload(string url, string destination, Action<string> check, ILogger? logger = null)
    {
        logger ??= DeepSharpLogging.Logger;
        string folder = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        string temp = Path.Combine(folder, $".{Path.GetFileName(destination)}.{Environment.ProcessId}.part");
        try
        {
            Directory.CreateDirectory(folder);
            using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
            using var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(10) };
            using (var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult())
            {
                if (response.StatusCode != HttpStatusCode.OK)
                    return $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}";
                logger.LogInformation("Downloading {Url} ...", url);
                using var body = response.Content.ReadAsStream();
                using var file = File.Create(temp);
                body.CopyTo(file);
            }
            check(temp);
            File.Move(temp, destination, overwrite: true);
            logger.LogInformation("Saved {File} ({Bytes:N0} bytes).", destination, new FileInfo(destination).Length);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException
                                    or UnauthorizedAccessException or InvalidDataException)
        {
            return $"download of {url} failed: {e.Message}";
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { }
        }
    }

    /// <summary>Throws unless the file's SHA-256 is <paramref name="expectedHex"/>.</summary>
    public static void CheckSha256(string path, string expectedHex, string url)
    {
        using var s = File.OpenRead(path);
        string got = Convert.ToHexStringLower(SHA256.HashData(s));
        if (got != expectedHex)
            throw new InvalidDataException($"the file downloaded from {url} ({new FileInfo(path).Length:N0} bytes) has SHA-256 {got}, expected {expectedHex}; it was discarded");
    }
}
