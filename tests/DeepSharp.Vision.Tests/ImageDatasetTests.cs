using DeepSharp.Data;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using SkiaSharp;

namespace DeepSharp.Vision.Tests;

/// <summary>ImageDataset.FromDirectory: pixels and labels per label mode, every argument's error, hostile folders, Fit.</summary>
public class ImageDatasetTests
{
    private static readonly string Flowers = Path.Combine(AppContext.BaseDirectory, "fixtures", "image_dataset", "flowers");

    private static readonly Dictionary<string, (int R, int G, int B)> FlowerColors = new()
    {
        ["daisy"] = (200, 200, 40), ["roses"] = (220, 30, 30), ["sun flowers"] = (250, 200, 0), ["tulips"] = (150, 50, 200),
    };

    /// <summary>cats: 4 red PNGs, dogs: 3 blue PNGs (6×4 pixels).</summary>
    private static TempDir CatsAndDogs(int cats = 4, int dogs = 3)
    {
        var dir = new TempDir();
        for (int i = 0; i < cats; i++) TestFiles.Write(dir[$"cats/c{i}.png"], TestFiles.Solid(4, 6, 250, 0, 0), 4, 6, SKEncodedImageFormat.Png);
        for (int i = 0; i < dogs; i++) TestFiles.Write(dir[$"dogs/d{i}.png"], TestFiles.Solid(4, 6, 0, 0, 250), 4, 6, SKEncodedImageFormat.Png);
        return dir;
    }

    [Fact]
    public void IntLabels_SortedOrder_ImagesResizedToFloats0To255()
    {
        using var dir = CatsAndDogs();
        var ds = ImageDataset.FromDirectory(dir.Path, shuffle: false, batchSize: 4, imageSize: (5, 3), verbose: false);
        Assert.Equal(["cats", "dogs"], ds.ClassNames!);
        var batches = ds.ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal([4, 5, 3, 3], batches[0].X.Shape.ToArray());
        Assert.Equal([4], batches[0].Y!.Shape.ToArray());
        Assert.Equal([0f, 0f, 0f, 0f], batches[0].Y!.Span.ToArray());
        Assert.Equal([1f, 1f, 1f], batches[1].Y!.Span.ToArray());
        Assert.Equal([250f, 0f, 0f], batches[0].X.Span[..3].ToArray());
        Assert.Equal([0f, 0f, 250f], batches[1].X.Span[^3..].ToArray());
    }

    [Fact]
    public void CategoricalBinaryAndNone_LabelShapes()
    {
        using var dir = CatsAndDogs();
        var cat = ImageDataset.FromDirectory(dir.Path, labelMode: LabelMode.Categorical, shuffle: false, batchSize: 7, imageSize: (2, 2), verbose: false).Single();
        Assert.Equal([7, 2], cat.Y!.Shape.ToArray());
        Assert.Equal([1f, 0f, 1f, 0f, 1f, 0f, 1f, 0f, 0f, 1f, 0f, 1f, 0f, 1f], cat.Y.Span.ToArray());
        var bin = ImageDataset.FromDirectory(dir.Path, labelMode: LabelMode.Binary, shuffle: false, batchSize: 7, imageSize: (2, 2), verbose: false).Single();
        Assert.Equal([7, 1], bin.Y!.Shape.ToArray());
        Assert.Equal([0f, 0f, 0f, 0f, 1f, 1f, 1f], bin.Y.Span.ToArray());
        var none = ImageDataset.FromDirectory(dir.Path, labelMode: LabelMode.None, shuffle: false, batchSize: 7, imageSize: (2, 2), verbose: false);
        Assert.Null(none.ClassNames);
        Assert.Null(none.Single().Y);
        var single = ImageDataset.FromDirectory(dir.Path, shuffle: false, batchSize: null, imageSize: (2, 2), verbose: false).ToList();
        Assert.Equal(7, single.Count);
        Assert.Equal([2, 2, 3], single[0].X.Shape.ToArray());
        Assert.Equal(0, single[0].Y!.Rank);
        Assert.Equal(7, ImageDataset.FromDirectory(dir.Path, batchSize: null, imageSize: (2, 2), verbose: false).Cardinality);
    }

    [Theory]
    [InlineData(ColorMode.Grayscale, 1)]
    [InlineData(ColorMode.Rgba, 4)]
    public void ColorModes_GiveTheirChannels(ColorMode mode, int channels)
    {
        using var dir = CatsAndDogs();
        var (x, _) = ImageDataset.FromDirectory(dir.Path, colorMode: mode, shuffle: false, imageSize: (3, 3), verbose: false).Single();
        Assert.Equal([7, 3, 3, channels], x.Shape.ToArray());
        if (mode == ColorMode.Grayscale) Assert.Equal((250 * 19595 + 0x8000) >> 16, x.Data[0]);
        else Assert.Equal([250f, 0f, 0f, 255f], x.Span[..4].ToArray());
    }

    [Fact]
    public void ShuffledEpochs_ReadEveryFileOnce_WithItsOwnLabel()
    {
        // The fixture's images are one colour per class: each image's colour must be its label's class colour.
        var ds = ImageDataset.FromDirectory(Flowers, seed: 5, batchSize: 4, imageSize: (4, 4), interpolation: Interpolation.Nearest, verbose: false);
        var epochs = new List<List<float>>();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var labelsSeen = new List<float>();
            foreach (var (x, y) in ds)
                for (int i = 0; i < x.Dim(0); i++)
                {
                    var (r, g, b) = FlowerColors[ds.ClassNames![(int)y!.Data[i]]];
                    int o = i * 4 * 4 * 3;
                    Assert.InRange(x.Data[o], r - 4, r + 4);
                    Assert.InRange(x.Data[o + 1], g - 4, g + 4);
                    Assert.InRange(x.Data[o + 2], b - 4, b + 4);
                    labelsSeen.Add(y.Data[i]);
                }
            Assert.Equal(ds.Labels!.Select(l => (float)l).Order(), labelsSeen.Order());
            epochs.Add(labelsSeen);
        }
        Assert.NotEqual(epochs[0], epochs[1]);   // the shuffle buffer draws a new order each epoch
    }

    [Fact]
    public void CropAndPadToAspectRatio_AsKeras()
    {
        using var dir = new TempDir();
        var px = new byte[4 * 8 * 4];   // 4 high, 8 wide: columns 0-3 red, 4-7 blue
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 8; x++)
            {
                int o = (y * 8 + x) * 4;
                px[o + (x < 4 ? 0 : 2)] = 240;
                px[o + 3] = 255;
            }
        TestFiles.Write(dir["a/wide.png"], px, 4, 8, SKEncodedImageFormat.Png);
        // Crop: the centred 4×4 square (columns 2-5): left half red, right half blue.
        var (crop, _) = ImageDataset.FromDirectory(dir.Path, imageSize: (4, 4), cropToAspectRatio: true, interpolation: Interpolation.Nearest, verbose: false).Single();
        Assert.Equal(240f, crop[0, 0, 1, 0]);
        Assert.Equal(240f, crop[0, 0, 2, 2]);
        // Pad: 2 rows of zeros above and below (8×8), then resized to 4×4: the first and last rows are black.
        var (pad, _) = ImageDataset.FromDirectory(dir.Path, imageSize: (4, 4), padToAspectRatio: true, interpolation: Interpolation.Nearest, verbose: false).Single();
        Assert.Equal([0f, 0f, 0f], Enumerable.Range(0, 3).Select(c => pad[0, 0, 0, c]));
        Assert.Equal([0f, 0f, 0f], Enumerable.Range(0, 3).Select(c => pad[0, 3, 3, c]));
        Assert.Equal(240f, pad[0, 1, 0, 0]);
        Assert.Equal(240f, pad[0, 2, 3, 2]);
        // Without either, the whole image is squeezed: column 1 (of 4) comes from source column 2 (red), column 2 from 4 (blue).
        var (plain, _) = ImageDataset.FromDirectory(dir.Path, imageSize: (4, 4), interpolation: Interpolation.Nearest, verbose: false).Single();
        Assert.Equal(240f, plain[0, 0, 1, 0]);
        Assert.Equal(240f, plain[0, 0, 2, 2]);
    }

    [Fact]
    public void EveryMisuse_IsOneClearError()
    {
        using var dir = CatsAndDogs();
        string d = dir.Path;
        void Fails<T>(Action call, params string[] words) where T : Exception
        {
            var e = Assert.ThrowsAny<T>(call);
            foreach (var w in words) Assert.Contains(w, e.Message);
        }
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, labels: [0, 1, 0, 1, 0, 1, 0], classNames: ["cats"]), "classNames", "inferred");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, labelMode: (LabelMode)9), "labelMode");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, colorMode: (ColorMode)9), "colorMode");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, imageSize: (0, 5)), "imageSize", "(0, 5)");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, interpolation: (Interpolation)42), "interpolation");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, batchSize: 0), "batchSize");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, cropToAspectRatio: true, padToAspectRatio: true), "padToAspectRatio", "cropToAspectRatio");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, validationSplit: 1.5, subset: Subset.Training, seed: 1), "validationSplit", "between 0 and 1", "1.5");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, validationSplit: 0.2, seed: 1), "subset", "FromDirectorySplit");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, subset: Subset.Validation, seed: 1), "validationSplit");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, validationSplit: 0.2, subset: Subset.Training), "seed", "overlap");
        Fails<ArgumentException>(() => ImageDataset.FromDirectorySplit(d, 0.2), "seed");
        Fails<ArgumentException>(() => ImageDataset.FromDirectorySplit(d, 0), "validationSplit");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, classNames: ["cats", "birds"]), "classNames", "birds", "cats, dogs");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, labels: [0, 1]), "labels has 2", "7 files");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(d, labelMode: LabelMode.None, classNames: ["cats"]), "classNames", "no labels");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(Flowers, labelMode: LabelMode.Binary), "exactly 2 classes", "4");
        Fails<ArgumentException>(() => ImageDataset.FromDirectorySplit(d, 0.1, seed: 1), "No validation images", d);
        Fails<DirectoryNotFoundException>(() => ImageDataset.FromDirectory(Path.Combine(d, "missing")), "does not exist", "missing");
        using var empty = new TempDir();
        Directory.CreateDirectory(empty["cats"]);
        File.WriteAllText(empty["cats/readme.txt"], "x");
        Fails<ArgumentException>(() => ImageDataset.FromDirectory(empty.Path), "No images found", empty.Path, ".jpg");
        // Explicit labels: class names are the sorted distinct labels, as text.
        var explicitLabels = ImageDataset.FromDirectory(d, labels: [5, 2, 5, 2, 5, 2, 5], shuffle: false, verbose: false);
        Assert.Equal(["2", "5"], explicitLabels.ClassNames!);
    }

    [Fact]
    public void AnUndecodableFile_IsNamedWhenTheDatasetIsRead()
    {
        using var dir = CatsAndDogs();
        File.WriteAllBytes(dir["dogs/broken.png"], [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var ds = ImageDataset.FromDirectory(dir.Path, shuffle: false, batchSize: 2, imageSize: (4, 4), verbose: false);
        Assert.Equal(8, ds.FilePaths.Count);   // listed: the file is only read when the dataset is
        var e = Assert.Throws<ImageDecodeException>(() => ds.ToList());
        Assert.Equal(dir["dogs/broken.png"], e.Path);
        Assert.Contains("broken.png", e.Message);
        // Also through Fit's generator interface, on the training thread.
        Assert.Throws<ImageDecodeException>(() => { IBatchGenerator g = ds; for (int i = 0; i < 5; i++) g.Next(); });
    }

    [Fact]
    public void ATooLargeImage_IsRefusedFromItsHeader()
    {
        using var dir = CatsAndDogs();
        File.WriteAllBytes(dir["cats/bomb.png"], HostileImageTests.ZeroPng(20000, 20000));
        var e = Assert.Throws<ImageDecodeException>(() => ImageDataset.FromDirectory(dir.Path, imageSize: (4, 4), verbose: false).ToList());
        Assert.Contains("bomb.png", e.Message);
        Assert.Contains("MaxImagePixels", e.Message);
    }

    [Fact]
    public void Links_AreFollowedOnlyWhenAsked_AndLoopsEnd()
    {
        if (OperatingSystem.IsWindows()) return;
        using var outside = CatsAndDogs(cats: 2, dogs: 1);
        using var dir = CatsAndDogs();
        Directory.CreateSymbolicLink(dir["birds"], outside["cats"]);   // a class folder linking out of the data folder
        var e = Assert.Throws<ArgumentException>(() => ImageDataset.FromDirectory(dir.Path, verbose: false));
        Assert.Contains("birds", e.Message);
        Assert.Contains("followLinks", e.Message);
        Assert.Equal(9, ImageDataset.FromDirectory(dir.Path, followLinks: true, verbose: false).FilePaths.Count);
        Directory.Delete(dir["birds"]);

        Directory.CreateSymbolicLink(dir["cats/more"], outside["dogs"]);   // a linked sub-folder inside a class
        Directory.CreateSymbolicLink(dir["dogs/loop"], "..");              // a loop
        Assert.Equal(7, ImageDataset.FromDirectory(dir.Path, verbose: false).FilePaths.Count);
        var followed = ImageDataset.FromDirectory(dir.Path, followLinks: true, shuffle: false, verbose: false);
        Assert.Equal(8, followed.FilePaths.Count);   // + the linked dog; the loop adds nothing
        Assert.Contains(followed.FilePaths, p => p.EndsWith(Path.Combine("cats", "more", "d0.png"), StringComparison.Ordinal));
    }

    [Fact]
    public void FitEvaluatePredict_OnImageDatasets()
    {
        using var dir = new TempDir();
        var r = new Random(7);
        GeneratorTrainingTests.WriteStripes(dir.Path, "horizontal", true, 40, r);
        GeneratorTrainingTests.WriteStripes(dir.Path, "vertical", false, 40, r);
        var (train, val) = ImageDataset.FromDirectorySplit(dir.Path, 0.25, seed: 3, labelMode: LabelMode.Binary, imageSize: (32, 32), batchSize: 16, verbose: false);
        Rng.SetSeed(2);
        var model = new Sequential(
            new Rescaling(1.0 / 255, inputShape: (32, 32, 3)),
            new Conv2D(8, (3, 3), activation: "relu"),
            new MaxPooling2D((2, 2)),
            new Conv2D(16, (3, 3), activation: "relu"),
            new MaxPooling2D((2, 2)),
            new Flatten(),
            new Dense(16, activation: "relu"),
            new Dense(1, activation: "sigmoid"));
        model.Compile(optimizer: new RMSprop(learningRate: 2e-3f), loss: "binary_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(train, epochs: 8, validationData: val, verbose: 0);
        Assert.Equal(8, history["val_accuracy"].Count);
        Assert.True(history["val_accuracy"][^1] >= 0.9, $"val_accuracy {history["val_accuracy"][^1]}");
        Assert.Equal(4, model.LastFitTimings.Steps / 8);   // 60 training images in batches of 16: one pass per epoch

        var eval = model.Evaluate(val, verbose: 0);
        Assert.Equal(history["val_loss"][^1], eval.Loss, 5);   // the validation set in its fixed order, one pass
        var p = model.Predict(val);
        Assert.Equal(20, p.Dim(0));
        int correct = 0;
        for (int i = 0; i < 20; i++)
            if ((p.Data[i] > 0.5f) == (val.Labels![i] == 1)) correct++;
        Assert.True(correct >= 18, $"{correct}/20 predictions match their file's label");
    }
}
