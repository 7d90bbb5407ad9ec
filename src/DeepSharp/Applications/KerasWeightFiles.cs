using System.Net;
using System.Security.Cryptography;
using DeepSharp.Downloads;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Applications;

/// <summary>
/// Keras' <c>get_file(fname, origin, cache_subdir="models", file_hash=md5)</c> for pretrained weights: a file already in the
/// Keras cache (<c>$KERAS_HOME/models</c>, else <c>~/.keras/models</c>, as Keras looks) whose MD5 matches is used as is;
/// otherwise it is downloaded from Keras' published address (progress to <see cref="DownloadOptions.Progress"/>, messages to its
/// logger: nothing is printed), written under a temporary name, checked against the MD5 and renamed into the cache.
/// </summary>
internal static class KerasWeightFiles
{
    /// <summary>One published weights file: its cache name, address and MD5.</summary>
    internal sealed record WeightFile(string FileName, string Url, string Md5, long ApproximateBytes);

    /// <summary>Keras' cache home: <c>$KERAS_HOME</c>, else <c>~/.keras</c>.</summary>
    public static string DefaultHome
    {
        get
        {
            string? home = Environment.GetEnvironmentVariable("KERAS_HOME");
            return string.IsNullOrEmpty(home)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".keras")
                : home;
        }
    }

    /// <summary>The path of <paramref name="file"/> in <paramref name="kerasHome"/>/models, downloading it when missing or damaged.</summary>
    public static string Get(WeightFile file, string kerasHome, string what, DownloadOptions? options = null)
    {
        string folder = Path.Combine(kerasHome, "models");
        string path = Path.Combine(folder, file.FileName);
        string? stale = null;
        if (File.Exists(path))
        {
            string md5 = Md5(path);
            if (md5 == file.Md5) return path;
            stale = $"{path} is in the cache but its MD5 is {md5}, not Keras' published {file.Md5} (an incomplete or different file)";
            (options?.Log ?? Logging.DeepSharpLogging.Logger).LogWarning("{Stale}; downloading it again.", stale);
        }
        string? failure = options is { AllowDownload: false } ? "downloads are switched off (DownloadOptions.AllowDownload)" : Download(file, path, options ?? new DownloadOptions());
        if (failure is null) return path;
        throw new FileNotFoundException(
            $"{what} needs Keras' weights file {file.FileName} (about {file.ApproximateBytes / 1e6:F1} MB). " +
            (stale ?? $"It is not in the Keras cache ({folder})") + $", and the {failure}. " +
            $"Copy the file there (from a machine with network access: {file.Url}), or pass weights: \"path/to/{file.FileName}\", or weights: null for random weights.",
            path);
    }

    /// <summary>Downloads to a temporary name, checks the MD5, renames. Returns null on success, else why it failed.</summary>
    private static string? Download(WeightFile file, string destination, DownloadOptions options)
    {
        string folder = Path.GetDirectoryName(destination)!;
        string temp = Path.Combine(folder, $".{file.FileName}.{Environment.ProcessId}.part");
        try
        {
            Directory.CreateDirectory(folder);
            using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
            using var http = new HttpClient(handler) { Timeout = options.Timeout };
            using (var response = http.GetAsync(file.Url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult())
            {
                if (response.StatusCode != HttpStatusCode.OK)
                    return $"download from {file.Url} was answered {(int)response.StatusCode} {response.ReasonPhrase}";
                options.Log.LogInformation("Downloading data from {Url}", file.Url);
                using var body = response.Content.ReadAsStream();
                using var output = File.Create(temp);
                PackageFetcher.Copy(body, output, new DownloadProgress(file.FileName, file.Url, 0, response.Content.Headers.ContentLength ?? file.ApproximateBytes), options.Progress);
            }
            string md5 = Md5(temp);
            if (md5 != file.Md5)
                return $"file downloaded from {file.Url} has MD5 {md5}, not the published {file.Md5}; it was discarded";
            File.Move(temp, destination, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or UnauthorizedAccessException)
        {
            return $"download from {file.Url} failed ({e.Message})";
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { }
        }
    }

    internal static string Md5(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(s));
    }
}
