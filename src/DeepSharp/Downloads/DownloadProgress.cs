namespace DeepSharp.Downloads;

/// <summary>How far a download has come: reported through <see cref="DownloadOptions.Progress"/> as the bytes arrive.</summary>
/// <param name="FileName">The file being downloaded (e.g. <c>microsoft.ml.dnnimagefeaturizer.resnet18.0.23.1.nupkg</c>).</param>
/// <param name="Url">Where it comes from.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The size the server announced, or null when it did not.</param>
public readonly record struct DownloadProgress(string FileName, string Url, long BytesReceived, long? TotalBytes)
{
    /// <summary>0–100, or null when the total is unknown.</summary>
    public int? Percent => TotalBytes is > 0 and var t ? (int)Math.Min(100, BytesReceived * 100 / t) : null;
}
