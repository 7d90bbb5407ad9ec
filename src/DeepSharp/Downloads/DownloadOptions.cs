using Microsoft.Extensions.Logging;

namespace DeepSharp.Downloads;

/// <summary>
/// Where pretrained weights are looked for and fetched from, as Keras' <c>get_file</c> does for its applications:
/// a file already on disk and intact is used as is; otherwise it is downloaded, checked against its published hash,
/// written under a temporary name and renamed into the cache. Nothing is printed: progress goes to
/// <see cref="Progress"/> and messages to <see cref="Logger"/>.
/// </summary>
/// <example><code>
/// var convBase = Applications.ResNet18(weights: "imagenet", download: new DownloadOptions
/// {
///     Progress = new Progress&lt;DownloadProgress&gt;(p => Console.Write($"\r{p.BytesReceived:N0} bytes")),
///     Logger = myLogger,
/// });
/// </code></example>
public sealed class DownloadOptions
{
    /// <summary>The folder downloaded weights are kept in: <c>$DEEPSHARP_HOME/models</c>, else <c>~/.deepsharp/models</c>.</summary>
    public string CacheDirectory { get; init; } = DefaultCacheDirectory;

    /// <summary>
    /// NuGet package sources to fetch weight packages from (v3 feed addresses such as <c>https://api.nuget.org/v3/index.json</c>,
    /// or folders holding <c>.nupkg</c> files). Null: the sources of the NuGet.Config files that apply to the current folder
    /// (as <c>dotnet restore</c> reads them), else nuget.org.
    /// </summary>
    public IReadOnlyList<string>? PackageSources { get; init; }

    /// <summary>The NuGet global packages folder searched before downloading; null: <c>$NUGET_PACKAGES</c>, the
    /// <c>globalPackagesFolder</c> of NuGet.Config, else <c>~/.nuget/packages</c>.</summary>
    public string? NuGetPackagesFolder { get; init; }

    /// <summary>False: use only files already on disk, and say how to put them there when they are missing.</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Receives the bytes received as a download goes on (about once per megabyte).</summary>
    public IProgress<DownloadProgress>? Progress { get; init; }

    /// <summary>Where "downloading X from Y" and "saved to Z" go; null: <c>DeepSharpLogging.Logger</c>.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>The longest a whole download may take (30 minutes by default); connecting gives up after 15 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary><c>$DEEPSHARP_HOME/models</c>, else <c>~/.deepsharp/models</c>.</summary>
    public static string DefaultCacheDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("DEEPSHARP_HOME") is { Length: > 0 } home ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".deepsharp"), "models");

    internal ILogger Log => Logger ?? Logging.DeepSharpLogging.Logger;
}
