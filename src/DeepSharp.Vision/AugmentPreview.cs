using SkiaSharp;

namespace DeepSharp.Vision;

/// <summary>
/// Shows what an <see cref="ImageDataGenerator"/> does before training on it, as the book does with matplotlib:
/// a PNG grid with one row per image, the original (resized) first, then <c>versions</c> random augmentations of it.
/// The augmented images are drawn before standardization (values 0..255, rescale not applied), each from its own
/// seed, so the same seed draws the same grid.
/// </summary>
/// <example><code>
/// var gen = new ImageDataGenerator(rotationRange: 40, widthShiftRange: 0.2, heightShiftRange: 0.2,
///     shearRange: 0.2, zoomRange: 0.2, horizontalFlip: true);
/// AugmentPreview.WriteGrid(gen, ["data/train/cats/cat.1.jpg", "data/train/dogs/dog.1.jpg"], "grid.png", versions: 6);
/// </code></example>
public static class AugmentPreview
{
    /// <summary>
    /// Writes the grid to <paramref name="output"/> (PNG, written under a temporary name and renamed) and returns its
    /// (height, width) in pixels. Images are loaded at <paramref name="targetSize"/> (default 150×150) as RGB.
    /// </summary>
    public static (int Height, int Width) WriteGrid(ImageDataGenerator generator, IReadOnlyList<string> imagePaths, string output,
        int versions = 8, (int Height, int Width)? targetSize = null, int seed = 0, int gap = 4,
        Interpolation interpolation = Interpolation.Nearest)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (imagePaths.Count == 0) throw new ArgumentException("No images given: pass at least one image file.", nameof(imagePaths));
        if (versions < 1) throw new ArgumentException($"versions is {versions} but must be at least 1.", nameof(versions));
        if (generator.DataFormat != DataFormat.ChannelsLast)
            throw new ArgumentException("AugmentPreview draws channels-last generators; create the generator with DataFormat.ChannelsLast to preview it.", nameof(generator));
        var (h, w) = targetSize ?? (150, 150);
        if (h < 1 || w < 1 || gap < 0) throw new ArgumentException($"targetSize ({h}, {w}) and gap {gap} must be positive.", nameof(targetSize));
        long cols = versions + 1L, rows = imagePaths.Count;
        long gridWidth = cols * w + (cols + 1) * gap, gridHeight = rows * h + (rows + 1) * gap;
        if (gridWidth * gridHeight * 3 > Array.MaxLength)
            throw new ArgumentException($"A grid of {rows} × {cols} images of {h}×{w} is {gridHeight}×{gridWidth} pixels, more than one array holds; use fewer versions or images, or a smaller targetSize.", nameof(versions));
        int gridW = (int)gridWidth, gridH = (int)gridHeight;
        var grid = new float[gridH * gridW * 3];
        Array.Fill(grid, 255f);   // white gaps
        for (int r = 0; r < imagePaths.Count; r++)
        {
            var image = ImageIO.Load(imagePaths[r], ColorMode.Rgb, (h, w), interpolation);
            Paste(grid, gridW, image.Span, h, w, gap + r * (h + gap), gap);
            for (int v = 0; v < versions; v++)
            {
                var augmented = generator.RandomTransform(image, HashCode.Combine(seed, r, v));
                Paste(grid, gridW, augmented.Span, h, w, gap + r * (h + gap), gap + (v + 1) * (w + gap));
            }
        }
        ImageIO.WriteEncoded(grid, gridH, gridW, 3, output, SKEncodedImageFormat.Png, 100);
        return (gridH, gridW);
    }

    /// <summary>The image files under <paramref name="directory"/> (recursively, sorted), <paramref name="count"/> of
    /// them spread evenly over the list so that a folder per class shows several classes. Linked sub-folders are not entered
    /// and each real folder is listed once (<see cref="DirectoryIterator"/>'s rules).</summary>
    public static IReadOnlyList<string> PickImages(string directory, int count)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Image folder '{directory}' does not exist.");
        if (count < 1) throw new ArgumentException($"count is {count} but must be at least 1.", nameof(count));
        var files = FolderWalker.ImageFiles(directory, followLinks: false);   // linked sub-folders are not entered
        if (files.Count == 0)
            throw new ArgumentException($"No image files under '{directory}' (looked for {string.Join(" ", DirectoryIterator.ImageExtensions)}).");
        count = Math.Min(count, files.Count);
        return Enumerable.Range(0, count).Select(i => files[(int)((long)i * files.Count / count)]).ToList();
    }

    private static void Paste(float[] grid, int gridW, ReadOnlySpan<float> image, int h, int w, int top, int left)
    {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < 3; k++)
                    grid[((top + y) * gridW + left + x) * 3 + k] = Math.Clamp(image[(y * w + x) * 3 + k], 0f, 255f);
    }
}
