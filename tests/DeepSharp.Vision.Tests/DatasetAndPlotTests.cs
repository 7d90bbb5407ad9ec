using DeepSharp.Training;

namespace DeepSharp.Vision.Tests;

public class DatasetAndPlotTests
{
    /// <summary>When DEEPSHARP_PREVIEW_DIR is set, tests copy their images there for a person to look at.</summary>
    private static void Preview(string file)
    {
        if (Environment.GetEnvironmentVariable("DEEPSHARP_PREVIEW_DIR") is { Length: > 0 } d)
        {
            Directory.CreateDirectory(d);
            File.Copy(file, Path.Combine(d, Path.GetFileName(file)), true);
        }
    }

    /// <summary>28x28 "images": class 0 a bright horizontal bar, class 1 a vertical bar.</summary>
    private static (Tensor Images, int[] Labels) Bars(int n)
    {
        var x = new Tensor(n, 28, 28);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2 == 0 ? 0 : 7;
            for (int a = 4; a < 24; a++)
                for (int b = 12; b < 16; b++)
                    if (labels[i] == 0) x[i, b, a] = 200 + i % 50; else x[i, a, b] = 200 + i % 50;
        }
        return (x, labels);
    }

    [Fact]
    public void DatasetMaker_writes_the_kaggle_layout_as_real_jpegs()
    {
        using var dir = new TempDir();
        var (x, labels) = Bars(24);
        int written = DatasetMaker.WriteFolders(x, labels, ["horizontal", "vertical"], dir.Path, 5, 3, 2, size: 60, seed: 1, classLabels: [0, 7]);
        Assert.Equal(20, written);
        Assert.Equal(5, Directory.GetFiles(dir["train/horizontal"], "*.jpg").Length);
        Assert.Equal(3, Directory.GetFiles(dir["validation/vertical"], "*.jpg").Length);
        Assert.Equal(2, Directory.GetFiles(dir["test/vertical"], "*.jpg").Length);
        Assert.True(File.Exists(dir["validation/horizontal/horizontal.5.jpg"]));   // numbering continues across splits
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
        var img = ImageIO.Load(dir["train/vertical/vertical.0.jpg"]);
        Assert.Equal([60, 60, 3], img.Shape.ToArray());
        Assert.True(img[30, 30, 0] > 150 && img[5, 30, 0] < 50, "a vertical bar, upscaled");
        Assert.Equal(img[30, 30, 0], img[30, 30, 1], 1);   // gray in RGB

        using var it = new ImageDataGenerator(rescale: 1f / 255).FlowFromDirectory(dir["train"], (60, 60), classMode: ClassMode.Binary, batchSize: 4);
        Assert.Equal(10, it.SampleCount);
        Assert.Throws<IOException>(() => DatasetMaker.WriteFolders(x, labels, ["horizontal", "vertical"], dir.Path, 1, 1, 1, classLabels: [0, 7]));
        Assert.Throws<ArgumentException>(() => DatasetMaker.WriteFolders(x, labels, ["h", "v"], dir["other"], 20, 1, 1, classLabels: [0, 7]));
    }

    [Fact]
    public void Augmented_photo_preview()
    {
        using var dir = new TempDir();
        var (x, labels) = Bars(4);
        DatasetMaker.WriteFolders(x, labels, ["h", "v"], dir.Path, 2, 0, 0, size: 150, classLabels: [0, 7]);
        var gen = new ImageDataGenerator(rescale: 1f / 255, rotationRange: 40, widthShiftRange: 0.2f, heightShiftRange: 0.2f,
            shearRange: 0.2f, zoomRange: 0.2f, horizontalFlip: true, fillMode: FillMode.Nearest);
        using var it = gen.FlowFromDirectory(dir["train"], (150, 150), batchSize: 4, seed: 5);
        var (batch, _) = it.Next();
        for (int i = 0; i < 4; i++)
        {
            string file = dir[$"augmented{i}.png"];
            ImageIO.SavePng(batch, i, file, scale: 255);
            var back = ImageIO.Load(file);
            Assert.Equal([150, 150, 3], back.Shape.ToArray());
            Preview(file);
        }
    }

    [Fact]
    public void History_plot_writes_a_png_that_decodes()
    {
        using var dir = new TempDir();
        var h = new History();
        for (int e = 1; e <= 12; e++)
            h.Add(e, new Dictionary<string, double>
            {
                ["loss"] = 0.7 / e, ["accuracy"] = 1 - 0.5 / e, ["val_loss"] = 0.7 / Math.Sqrt(e) + 0.01 * e, ["val_accuracy"] = 0.9 - 0.4 / e,
            });
        string path = dir["history.png"];
        h.Plot(path);
        var img = ImageIO.Load(path);
        Assert.Equal([600, 800, 3], img.Shape.ToArray());
        float min = System.Numerics.Tensors.TensorPrimitives.Min(img.Span), max = System.Numerics.Tensors.TensorPrimitives.Max(img.Span);
        Assert.True(max - min > 100, "the plot must not be blank");
        Assert.Single(Directory.GetFiles(dir.Path));
        Preview(path);
        Assert.Throws<InvalidOperationException>(() => new History().Plot(dir["empty.png"]));
    }
}
