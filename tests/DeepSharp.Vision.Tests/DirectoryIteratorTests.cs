using SkiaSharp;

namespace DeepSharp.Vision.Tests;

public class DirectoryIteratorTests
{
    /// <summary>Writes class folders of 4x4 PNGs whose gray level (10 * k + 5) identifies file k, plus a non-image file.</summary>
    private static Dictionary<float, string> MakeDataset(string root, params (string Class, int Count)[] classes)
    {
        var levelToFile = new Dictionary<float, string>();
        int k = 0;
        foreach (var (cls, count) in classes)
            for (int i = 0; i < count; i++, k++)
            {
                byte level = (byte)(10 * k + 5);
                string rel = $"{cls}/img{i:D2}.png";
                TestFiles.Write(Path.Combine(root, rel), TestFiles.Solid(4, 4, level, level, level), 4, 4, SKEncodedImageFormat.Png);
                levelToFile[level] = rel;
            }
        foreach (var (cls, _) in classes) File.WriteAllText(Path.Combine(root, cls, "readme.txt"), "not an image");
        return levelToFile;
    }

    private static Dictionary<string, DateTime> Snapshot(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);

    [Fact]
    public void Classes_are_sorted_folder_names_and_filenames_follow_batch_order()
    {
        using var dir = new TempDir();
        var levels = MakeDataset(dir.Path, ("dogs", 3), ("cats", 4), ("Birds", 2));
        var before = Snapshot(dir.Path);
        using var it = new ImageDataGenerator().FlowFromDirectory(dir.Path, (4, 4), classMode: ClassMode.Sparse, batchSize: 4, shuffle: false);
        Assert.Equal(["Birds", "cats", "dogs"], it.ClassIndices.OrderBy(p => p.Value).Select(p => p.Key));   // ordinal, as Python's sorted
        Assert.Equal(9, it.SampleCount);
        Assert.Equal(3, it.StepsPerEpoch);
        Assert.Equal([0, 0, 1, 1, 1, 1, 2, 2, 2], it.Classes);
        Assert.Equal("Birds/img00.png", it.Filenames[0]);
        Assert.Equal("cats/img03.png", it.Filenames[5]);
        int seen = 0;
        for (int b = 0; b < 4; b++)   // one pass and the first batch of the next
        {
            var (x, y) = it.Next();
            Assert.Equal(b == 2 ? 1 : 4, x.Dim(0));
            for (int j = 0; j < x.Dim(0); j++, seen++)
            {
                int sample = seen % 9;
                Assert.Equal(it.Filenames[sample], levels[x[j, 0, 0, 0]]);
                Assert.Equal(it.Classes[sample], (int)y![j]);
            }
        }
        Assert.Equal(before, Snapshot(dir.Path));   // nothing written into the data folder
    }

    [Fact]
    public void Class_modes_give_keras_targets()
    {
        using var dir = new TempDir();
        MakeDataset(dir.Path, ("a", 2), ("b", 3));
        var gen = new ImageDataGenerator(rescale: 1f / 255);
        using (var bin = gen.FlowFromDirectory(dir.Path, (4, 4), classMode: ClassMode.Binary, batchSize: 5, shuffle: false))
        {
            var (x, y) = bin.Next();
            Assert.Equal([5, 4, 4, 3], x.Shape.ToArray());
            Assert.Equal([5], y!.Shape.ToArray());
            Assert.Equal([0f, 0, 1, 1, 1], y.Span.ToArray());
            Assert.Equal(5f / 255, x[0, 0, 0, 0], 5);
        }
        using (var cat = gen.FlowFromDirectory(dir.Path, (4, 4), classMode: ClassMode.Categorical, batchSize: 5, shuffle: false))
        {
            var (_, y) = cat.Next();
            Assert.Equal([5, 2], y!.Shape.ToArray());
            Assert.Equal([1f, 0, 1, 0, 0, 1, 0, 1, 0, 1], y.Span.ToArray());
        }
        using (var input = gen.FlowFromDirectory(dir.Path, (4, 4), ColorMode.Grayscale, classMode: ClassMode.Input, batchSize: 5))
        {
            var (x, y) = input.Next();
            Assert.Equal([5, 4, 4, 1], x.Shape.ToArray());
            Assert.Equal(x.Span.ToArray(), y!.Span.ToArray());
        }
        using (var none = gen.FlowFromDirectory(dir.Path, (2, 3), classMode: ClassMode.None, batchSize: 5))
        {
            var (x, y) = none.Next();
            Assert.Null(y);
            Assert.Equal([5, 2, 3, 3], x.Shape.ToArray());   // resized to the target size
        }
    }

    [Fact]
    public void Validation_split_takes_the_first_fraction_of_each_class_and_is_disjoint_and_stable()
    {
        using var dir = new TempDir();
        MakeDataset(dir.Path, ("a", 10), ("b", 7));
        var gen = new ImageDataGenerator(validationSplit: 0.3f);
        using var val = gen.FlowFromDirectory(dir.Path, (4, 4), subset: Subset.Validation, shuffle: false);
        using var train = gen.FlowFromDirectory(dir.Path, (4, 4), subset: Subset.Training, shuffle: true, seed: 1);
        using var val2 = new ImageDataGenerator(validationSplit: 0.3f).FlowFromDirectory(dir.Path, (4, 4), subset: Subset.Validation);
        // int(0.3 * 10) = 3 and int(0.3 * 7) = 2 files per class, the first ones in sorted order.
        Assert.Equal(["a/img00.png", "a/img01.png", "a/img02.png", "b/img00.png", "b/img01.png"], val.Filenames);
        Assert.Equal(12, train.SampleCount);
        Assert.Empty(val.Filenames.Intersect(train.Filenames));
        Assert.Equal(17, val.Filenames.Union(train.Filenames).Count());
        Assert.Equal(val.Filenames, val2.Filenames);
        Assert.Throws<ArgumentException>(() => new ImageDataGenerator().FlowFromDirectory(dir.Path, (4, 4), subset: Subset.Training));
    }

    [Fact]
    public void Shuffled_batches_repeat_with_the_same_seed_and_each_pass_visits_every_file_once()
    {
        using var dir = new TempDir();
        var levels = MakeDataset(dir.Path, ("a", 5), ("b", 6));
        var gen = new ImageDataGenerator(horizontalFlip: true);
        List<string> Files(int seed, int batches)
        {
            using var it = gen.FlowFromDirectory(dir.Path, (4, 4), batchSize: 4, seed: seed);
            var files = new List<string>();
            for (int b = 0; b < batches; b++)
            {
                var (x, _) = it.Next();
                for (int j = 0; j < x.Dim(0); j++) files.Add(levels[x[j, 0, 0, 0]]);
            }
            return files;
        }
        var a = Files(7, 6);
        Assert.Equal(a, Files(7, 6));
        Assert.NotEqual(a, Files(8, 6));
        Assert.Equal(11, a.Take(11).Distinct().Count());     // pass 1 (3 batches: 4 + 4 + 3)
        Assert.Equal(11, a.Skip(11).Distinct().Count());     // pass 2, reshuffled
        Assert.NotEqual(a.Take(11), a.Skip(11));
    }

    [Fact]
    public void Bad_folders_give_clear_messages()
    {
        using var dir = new TempDir();
        var gen = new ImageDataGenerator();
        var missing = Assert.Throws<DirectoryNotFoundException>(() => gen.FlowFromDirectory(dir["nope"], (4, 4)));
        Assert.Contains("nope", missing.Message);

        Directory.CreateDirectory(dir["flat"]);
        TestFiles.Write(dir["flat/x.png"], TestFiles.Solid(2, 2, 1, 1, 1), 2, 2, SKEncodedImageFormat.Png);
        var flat = Assert.Throws<ArgumentException>(() => gen.FlowFromDirectory(dir["flat"], (4, 4)));
        Assert.Contains("no class sub-folders", flat.Message);

        MakeDataset(dir["data"], ("a", 2));
        Directory.CreateDirectory(dir["data/empty"]);
        var empty = Assert.Throws<ArgumentException>(() => gen.FlowFromDirectory(dir["data"], (4, 4)));
        Assert.Contains("empty", empty.Message);
        Assert.Contains("holds no images", empty.Message);

        var zero = Assert.Throws<ArgumentException>(() => gen.FlowFromDirectory(dir["data"], (0, 4), classes: ["a"]));
        Assert.Contains("targetSize", zero.Message);
        var binary = Assert.Throws<ArgumentException>(() => gen.FlowFromDirectory(dir["data"], (4, 4), classes: ["a"], classMode: ClassMode.Binary));
        Assert.Contains("exactly 2 classes", binary.Message);
        var unknown = Assert.Throws<DirectoryNotFoundException>(() => gen.FlowFromDirectory(dir["data"], (4, 4), classes: ["a", "zebra"]));
        Assert.Contains("zebra", unknown.Message);
    }

    [Fact]
    public void A_corrupt_image_names_the_file_or_is_skipped_and_counted()
    {
        using var dir = new TempDir();
        MakeDataset(dir.Path, ("a", 3), ("b", 3));
        var px = new byte[32 * 32 * 4];
        new Random(3).NextBytes(px);
        byte[] jpg = TestFiles.Encode(px, 32, 32, SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(dir["b/broken.jpg"], jpg[..(jpg.Length / 2)]);
        var gen = new ImageDataGenerator();
        using (var it = gen.FlowFromDirectory(dir.Path, (4, 4), batchSize: 7, shuffle: false))
        {
            var e = Assert.Throws<ImageDecodeException>(() => it.Next());
            Assert.Contains("broken.jpg", e.Message);
            Assert.Throws<ImageDecodeException>(() => it.Next());   // stays failed
        }
        using var skip = gen.FlowFromDirectory(dir.Path, (4, 4), batchSize: 7, shuffle: false, skipBadFiles: true);
        Assert.Equal(1, skip.BadFileCount);
        Assert.Equal(["b/broken.jpg"], skip.BadFiles);
        Assert.Equal(6, skip.SampleCount);
        Assert.Equal(6, skip.Next().X.Dim(0));
    }

    [Fact]
    public void Measures_its_own_throughput()
    {
        using var dir = new TempDir();
        MakeDataset(dir.Path, ("a", 4), ("b", 4));
        using var it = new ImageDataGenerator(rotationRange: 10).FlowFromDirectory(dir.Path, (32, 32), batchSize: 4);
        Assert.True(it.MeasureImagesPerSecond(4) > 0);
        it.Reset();
        Assert.Equal(4, it.Next().X.Dim(0));
    }
}
