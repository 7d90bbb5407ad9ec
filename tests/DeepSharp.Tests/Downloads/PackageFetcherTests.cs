using DeepSharp.Downloads;
using DeepSharp.Tests.Data;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Tests.Downloads;

/// <summary>
/// Pretrained weights fetched the way Keras fetches its own: from a real NuGet v3 feed on the loopback serving a real package
/// (System.IO.Hashing, 0.2 MB, from this machine's NuGet cache, where DeepSharp's restore put it), checked against the SHA-512
/// NuGet recorded for it, unpacked into the cache and used from there offline.
/// </summary>
public class PackageFetcherTests
{
    /// <summary>System.IO.Hashing's package as NuGet restored it: (the .nupkg, the WeightPackage describing it, its extracted folder).</summary>
    private static (string Nupkg, WeightPackage Package, string Extracted) RealPackage()
    {
        string id = Path.Combine(NuGetConfig.GlobalPackagesFolder(null), "system.io.hashing");
        string? folder = Directory.Exists(id) ? Directory.GetDirectories(id).Where(d => File.Exists(Path.Combine(d, $"system.io.hashing.{Path.GetFileName(d)}.nupkg.sha512"))).Order().LastOrDefault() : null;
        Assert.True(folder is not null, $"no System.IO.Hashing package in {id}: DeepSharp's restore brings it into the NuGet cache");
        string Version = Path.GetFileName(folder);
        string nupkg = Path.Combine(folder, $"system.io.hashing.{Version}.nupkg");
        string sha = File.ReadAllText(nupkg + ".sha512").Trim();
        var package = new WeightPackage("System.IO.Hashing", Version, sha, new FileInfo(nupkg).Length, "lib/net10.0/",
            ["System.IO.Hashing.dll", "System.IO.Hashing.xml"]);
        return (nupkg, package, Path.Combine(folder, "lib", "net10.0"));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add(formatter(state, exception));
        }
    }

    /// <summary>IProgress that records synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class Recorder : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = [];
        public void Report(DownloadProgress value) { lock (Reports) Reports.Add(value); }
    }

    [Fact]
    public void ARealPackageIsDownloadedVerifiedUnpackedAndThenUsedOffline()
    {
        var (nupkg, package, extracted) = RealPackage();
        using var cache = new TempFolder();
        var log = new ListLogger();
        var progress = new Recorder();
        string folder;
        using (var feed = new LoopbackFeed())
        {
            feed.Add(package.Id, package.Version, File.ReadAllBytes(nupkg));
            var options = new DownloadOptions { CacheDirectory = cache.Path, PackageSources = [feed.IndexUrl], Logger = log, Progress = progress };
            folder = PackageFetcher.Get(package, options, "test weights", []);
            Assert.Equal(2, feed.Requests);   // the service index, then the package
        }
        Assert.Equal(package.Folder(cache.Path), folder);
        foreach (var file in package.Files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(extracted, file)), File.ReadAllBytes(Path.Combine(folder, file)));
        Assert.Equal(new FileInfo(nupkg).Length, progress.Reports[^1].BytesReceived);
        Assert.Equal(100, progress.Reports[^1].Percent);
        Assert.Contains(log.Lines, l => l.StartsWith("Downloading system.io.hashing.") && l.Contains("127.0.0.1"));
        Assert.Contains(log.Lines, l => l.Contains("verified (SHA-512)"));
        Assert.Empty(Directory.GetFiles(cache.Path, "*.part", SearchOption.AllDirectories));

        // The feed is gone: the cache answers, without a download.
        var offline = new DownloadOptions { CacheDirectory = cache.Path, PackageSources = [$"http://127.0.0.1:{LoopbackFeed.FreePort()}/v3/index.json"] };
        Assert.Equal(folder, PackageFetcher.Get(package, offline, "test weights", []));
    }

    [Fact]
    public void ADamagedDownloadIsRejectedByItsHashAndLeavesNothingBehind()
    {
        var (nupkg, package, _) = RealPackage();
        using var cache = new TempFolder();
        using var feed = new LoopbackFeed();
        var bytes = File.ReadAllBytes(nupkg);
        bytes[bytes.Length / 2] ^= 0x40;   // one bit flipped in transit
        feed.Add(package.Id, package.Version, bytes);
        var options = new DownloadOptions { CacheDirectory = cache.Path, PackageSources = [feed.IndexUrl] };
        var e = Assert.Throws<FileNotFoundException>(() => PackageFetcher.Get(package, options, "test weights", []));
        Assert.Contains("SHA-512", e.Message);
        Assert.Contains(package.Sha512, e.Message);
        Assert.False(Directory.Exists(package.Folder(cache.Path)));
        Assert.Empty(Directory.GetFiles(cache.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void OfflineTheErrorNamesTheFileTheFolderAndHowToPutItThere()
    {
        var (_, package, _) = RealPackage();
        using var cache = new TempFolder();
        string deadFeed = $"http://127.0.0.1:{LoopbackFeed.FreePort()}/v3/index.json";
        var options = new DownloadOptions { CacheDirectory = cache.Path, PackageSources = [deadFeed] };
        var e = Assert.Throws<FileNotFoundException>(() => PackageFetcher.Get(package, options, "test weights", ["/nowhere/else"]));
        Assert.Contains("System.IO.Hashing.dll", e.Message);                 // the file
        Assert.Contains(package.Folder(cache.Path), e.Message);              // the folder looked in
        Assert.Contains("/nowhere/else", e.Message);                         // and the others
        Assert.Contains(deadFeed, e.Message);                                // the source tried
        Assert.Contains(package.NuGetOrgUrl, e.Message);                     // how to put it there
        Assert.Contains($"copy it into {cache.Path}", e.Message);
        Assert.Equal(Path.Combine(package.Folder(cache.Path), "System.IO.Hashing.dll"), e.FileName);
    }

    [Fact]
    public void APackageCopiedIntoTheCacheByHandIsCheckedAndUsedWithoutDownloading()
    {
        var (nupkg, package, extracted) = RealPackage();
        using var cache = new TempFolder();
        File.Copy(nupkg, Path.Combine(cache.Path, package.FileName));
        var options = new DownloadOptions { CacheDirectory = cache.Path, AllowDownload = false };
        string folder = PackageFetcher.Get(package, options, "test weights", []);
        Assert.Equal(File.ReadAllBytes(Path.Combine(extracted, "System.IO.Hashing.dll")), File.ReadAllBytes(Path.Combine(folder, "System.IO.Hashing.dll")));

        // Downloads switched off and nothing by hand: the error says so.
        using var empty = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => PackageFetcher.Get(package, new DownloadOptions { CacheDirectory = empty.Path, AllowDownload = false }, "test weights", []));
        Assert.Contains("downloads are switched off", e.Message);
    }

    [Fact]
    public void NuGetConfigSourcesFollowClearRemoveAndDisabledAndAFolderSourceWorks()
    {
        var (nupkg, package, _) = RealPackage();
        using var root = new TempFolder();
        string project = Path.Combine(root.Path, "project");
        string packages = Path.Combine(root.Path, "local-packages");
        Directory.CreateDirectory(project);
        Directory.CreateDirectory(Path.Combine(packages, package.LowerId, package.Version));
        File.Copy(nupkg, Path.Combine(packages, package.LowerId, package.Version, package.FileName));   // NuGet's hierarchical folder layout
        File.WriteAllText(Path.Combine(root.Path, "nuget.config"), """
            <configuration>
              <packageSources>
                <add key="far" value="https://far.example/v3/index.json" />
              </packageSources>
              <config><add key="globalPackagesFolder" value="gpf" /></config>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project, "NuGet.Config"), """
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="../local-packages" />
                <add key="off" value="https://off.example/v3/index.json" />
                <add key="gone" value="https://gone.example/v3/index.json" />
                <remove key="gone" />
              </packageSources>
              <disabledPackageSources><add key="off" value="true" /></disabledPackageSources>
            </configuration>
            """);
        var (sources, globalPackages) = NuGetConfig.Read(project);
        Assert.Equal([packages], sources);
        Assert.Equal(Path.Combine(root.Path, "gpf"), globalPackages);

        using var cache = new TempFolder();
        string folder = PackageFetcher.Get(package, new DownloadOptions { CacheDirectory = cache.Path, PackageSources = sources }, "test weights", []);
        Assert.True(package.IsIn(folder));
    }
}
