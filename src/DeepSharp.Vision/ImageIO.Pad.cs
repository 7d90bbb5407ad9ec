namespace DeepSharp.Vision;

public static partial class ImageIO
{
    /// <summary>
    /// Keras 3's <c>pad_to_aspect_ratio</c> resize (keras/src/backend/numpy/image.py, <c>resize</c>): the image is padded
    /// with zeros, <c>int((pad - size) / 2)</c> rows (columns) on each side, where pad_height = max(h, int(w * target_h /
    /// target_w)) and pad_width = max(w, int(h * target_w / target_h)); then the padded image is resized.
    /// </summary>
    internal static void LoadPaddedInto(string path, ColorMode colorMode, (int Height, int Width) targetSize,
        Interpolation interpolation, Span<float> destination)
    {
        byte[] rgba = DecodeRgba(path, out int h, out int w);
        int c = Channels(colorMode);
        byte[] converted = ConvertFromRgba(rgba, h * w, colorMode);
        int padH = Math.Max(h, (int)((double)w * targetSize.Height / targetSize.Width));
        int padW = Math.Max(w, (int)((double)h * targetSize.Width / targetSize.Height));
        int top = (padH - h) / 2, left = (padW - w) / 2;
        int ph = h + 2 * top, pw = w + 2 * left;
        byte[] padded = converted;
        if (ph != h || pw != w)
        {
            padded = new byte[(long)ph * pw * c <= Array.MaxLength ? ph * pw * c : throw new ImageDecodeException(path, $"Image '{path}' padded to ({ph}, {pw}) does not fit one array.")];
            for (int y = 0; y < h; y++)
                Buffer.BlockCopy(converted, y * w * c, padded, ((y + top) * pw + left) * c, w * c);
        }
        ToFloats(Resampler.Resize(padded, ph, pw, c, targetSize.Height, targetSize.Width, interpolation), destination);
    }
}
