using DeepSharp.Applications;
using DeepSharp.Downloads;
using DeepSharp.Tests.Data;
using Apps = DeepSharp.Applications.Applications;

namespace DeepSharp.Tests.Downloads;

/// <summary>
/// <c>Applications.ResNet18(weights: "imagenet")</c> for a user whose NuGet cache lacks the package (an installed tool, a
/// library user's project): the real Microsoft.ML.DnnImageFeaturizer.ResNet18 package (60 MB, from this machine's NuGet
/// cache) is served by a NuGet v3 feed on the loopback, fetched into an empty model cache, checked against its pinned
/// SHA-512, and gives the same network as the package found in the NuGet cache; then it loads from the cache offline.
/// </summary>
[Collection(DeepSharp.Tests.Onnx.HeavyOnnxTests.Name)]
public class ResNet18DownloadTests
{
    [Fact]
    public void WithAnEmptyCacheTheWeightsAreFetchedFromTheFeedThenLoadedOffline()
    {
        var (net, _) = ResNet18Files.Find();   // the package restored by DeepSharp's build
        string nupkg = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(net))))!, ResNet18Files.Package.FileName);
        Assert.True(File.Exists(nupkg), $"{nupkg} is missing");
        using var cache = new TempFolder();
        using var noNuGetCache = new TempFolder();
        var image = Applications.ResNet18Tests.Chelsea();
        var expected = Apps.ResNet18().Predict(image);

        Tensor fetched;
        using (var feed = new LoopbackFeed())
        {
            feed.Add(ResNet18Files.PackageId, ResNet18Files.PackageVersion, File.ReadAllBytes(nupkg));
            var online = new DownloadOptions { CacheDirectory = cache.Path, NuGetPackagesFolder = noNuGetCache.Path, PackageSources = [feed.IndexUrl] };
            fetched = Apps.ResNet18(weights: "imagenet", download: online).Predict(image);
            Assert.Equal(2, feed.Requests);
        }
        Assert.Equal(expected.Span.ToArray(), fetched.Span.ToArray());
        Assert.True(ResNet18Files.Package.IsIn(ResNet18Files.Package.Folder(cache.Path)));

        var offline = new DownloadOptions { CacheDirectory = cache.Path, NuGetPackagesFolder = noNuGetCache.Path, AllowDownload = false };
        Assert.Equal(expected.Span.ToArray(), Apps.ResNet18(weights: "imagenet", download: offline).Predict(image).Span.ToArray());

        // An empty cache, offline: one error naming the file, the folders and how to put the package there.
        using var empty = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => Apps.ResNet18(download: new DownloadOptions
        {
            CacheDirectory = empty.Path, NuGetPackagesFolder = noNuGetCache.Path,
            PackageSources = [$"http://127.0.0.1:{LoopbackFeed.FreePort()}/v3/index.json"],
        }));
        Assert.Contains("ResNet18Onnx/ResNet18.onnx", e.Message);
        Assert.Contains(noNuGetCache.Path, e.Message);
        Assert.Contains(ResNet18Files.Package.Folder(empty.Path), e.Message);
        Assert.Contains(ResNet18Files.Package.NuGetOrgUrl, e.Message);
    }
}
