namespace DeepSharp.Vision;

/// <summary>How many channels a decoded image gets (Keras' <c>color_mode</c>).</summary>
/// <example><code>var x = ImageIO.Load("cat.jpg", ColorMode.Grayscale);   // (h, w, 1)</code></example>
public enum ColorMode
{
    /// <summary>3 channels. An alpha channel is dropped (as PIL's <c>convert("RGB")</c>); gray images are replicated.</summary>
    Rgb,
    /// <summary>1 channel: PIL's luma, L = (19595 R + 38470 G + 7471 B + 32768) &gt;&gt; 16.</summary>
    Grayscale,
    /// <summary>4 channels, alpha kept (opaque images get alpha 255).</summary>
    Rgba,
}
