namespace DeepSharp.Vision.Tests;

public class AugmentPreviewTests
{
    [Fact]
    public void Grid_has_the_original_then_different_augmented_versions_per_row()
    {
        using var dir = new TempDir();
        var rnd = new Random(3);
        for (int i = 0; i < 4; i++)
        {
            var px = new byte[20 * 30 * 4];
            rnd.NextBytes(px);
            for (int p = 3; p < px.Length; p += 4) px[p] = 255;
            TestFiles.Write(dir[$"data/{(i < 2 ? "cats" : "dogs")}/{i}.png"], px, 20, 30, SkiaSharp.SKEncodedImageFormat.Png);
        }
        var files = AugmentPreview.PickImages(dir["data"], 2);
        Assert.Equal(["0.png", "2.png"], files.Select(Path.GetFileName));   // spread over the sorted list: both classes
        var gen = new ImageDataGenerator(rotationRange: 30, horizontalFlip: true);
        var (h, w) = AugmentPreview.WriteGrid(gen, files, dir["grid.png"], versions: 3, targetSize: (16, 12), seed: 1, gap: 2);
        Assert.Equal((2 * 16 + 3 * 2, 4 * 12 + 5 * 2), (h, w));
        var grid = ImageIO.Load(dir["grid.png"]);
        Assert.Equal([h, w, 3], grid.Shape.ToArray());
        float[] Cell(int row, int col)
        {
            var cell = new float[16 * 12 * 3];
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 12; x++)
                    for (int k = 0; k < 3; k++)
                        cell[(y * 12 + x) * 3 + k] = grid[2 + row * 18 + y, 2 + col * 14 + x, k];
            return cell;
        }
        Assert.Equal(ImageIO.Load(files[0], ColorMode.Rgb, (16, 12)).Span.ToArray(), Cell(0, 0));   // the original, resized
        Assert.NotEqual(Cell(0, 0), Cell(0, 1));
        Assert.NotEqual(Cell(0, 1), Cell(0, 2));
        // The same seed draws the same grid.
        AugmentPreview.WriteGrid(gen, files, dir["again.png"], versions: 3, targetSize: (16, 12), seed: 1, gap: 2);
        Assert.Equal(File.ReadAllBytes(dir["grid.png"]), File.ReadAllBytes(dir["again.png"]));
    }
}
