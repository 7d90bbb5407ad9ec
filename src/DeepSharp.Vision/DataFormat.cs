namespace DeepSharp.Vision;

/// <summary>Where the channel axis of an image is (Keras' <c>data_format</c>).</summary>
/// <example><code>var gen = new ImageDataGenerator(dataFormat: DataFormat.ChannelsFirst);   // images (c, h, w), batches (n, c, h, w)</code></example>
public enum DataFormat
{
    /// <summary>(height, width, channels): DeepSharp's and Keras' default.</summary>
    ChannelsLast,
    /// <summary>(channels, height, width): the generator's inputs and outputs use this layout; it transforms internally in channels-last.</summary>
    ChannelsFirst,
}
