using SkiaSharp;

namespace DeepSharp.Vision;

/// <summary>
/// Writes a real JPEG folder dataset in the Kaggle cats-vs-dogs layout of the book's chapter 5.2
/// (<c>train/&lt;class&gt;/*.jpg</c>, <c>validation/…</c>, <c>test/…</c>) from in-memory grayscale images, e.g. two
/// Fashion-MNIST classes, upscaled (bilinear, PIL's definition) to size×size RGB. Files are named
/// <c>&lt;class&gt;.&lt;k&gt;.jpg</c> with k counting through train, validation and test, as the book's copy script does.
/// </summary>
/// <example><code>
/// // Fashion-MNIST: 0 = T-shirt/top, 9 = Ankle boot
/// DatasetMaker.WriteFolders(images, labels, ["tshirts", "boots"], "data/small", 1000, 500, 500, classLabels: [0, 9]);
/// </code></example>
public static class DatasetMaker
{
    /// <summary>The largest side written (4096² RGB is 48 MB per image before JPEG encoding).</summary>
    public const int MaxSize = 4096;

    /// <summary>
    /// Throws unless every class name is a safe, distinct folder and file name: not empty, not "." or "..", at most 100
    /// characters, no path separators, no control characters, none of <c>&lt;&gt;:"|?*</c>, and no leading or trailing space.
    /// </summary>
    /// <example><code>DatasetMaker.CheckClassNames(["cats", "dogs"]);</code></example>
    public static void CheckClassNames(IReadOnlyList<string> classNames)
    {
        foreach (var name in classNames)
        {
            string? why = name.Length == 0 ? "it is empty"
                : name is "." or ".." ? "it names a folder above or at the output, not a new folder"
                : name.Length > 100 ? $"it is {name.Length} characters long (at most 100)"
                : name.IndexOfAny(['/', '\\']) >= 0 ? "it contains a path separator ('/' or '\\'), which would write outside its folder"
                : name.Any(char.IsControl) ? "it contains a control character"
                : name.IndexOfAny(['<', '>', ':', '"', '|', '?', '*']) >= 0 ? "it contains one of < > : \" | ? *"
                : name != name.Trim() ? "it starts or ends with a space"
                : null;
            if (why is not null)
                throw new ArgumentException($"Class name '{name}' cannot be used as a folder and file name: {why}. Use letters, digits, '-' or '_', e.g. tshirts.", nameof(classNames));
        }
        var repeated = classNames.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new ArgumentException($"Class name '{repeated.Key}' is given {repeated.Count()} times (names are compared ignoring case); each class needs its own folder.", nameof(classNames));
    }

    /// <param name="images">(n, h, w) or (n, h, w, 1) grayscale, values 0..255 (0..1 is scaled up).</param>
    /// <param name="labels">The label of each image.</param>
    /// <param name="classNames">Folder names, one per class.</param>
    /// <param name="classLabels">The label value of each class (default 0, 1, …).</param>
    /// <param name="quality">JPEG quality (1-100).</param>
    /// <returns>The number of files written.</returns>
    public static int WriteFolders(Tensor images, int[] labels, string[] classNames, string outDir,
        int perClassTrain, int perClassValidation, int perClassTest, int size = 150, int seed = 42,
        int[]? classLabels = null, int quality = 90)
    {
        if (!(images.Rank == 3 || (images.Rank == 4 && images.Dim(3) == 1)))
            throw new ArgumentException($"images must be grayscale (n, h, w) or (n, h, w, 1) but got shape {Tensor.FormatShape(images.Shape)}.", nameof(images));
        int n = images.Dim(0), h = images.Dim(1), w = images.Dim(2);
        if (labels.Length != n)
            throw new ArgumentException($"There are {n} images but {labels.Length} labels. Give one label per image.", nameof(labels));
        classLabels ??= Enumerable.Range(0, classNames.Length).ToArray();
        if (classLabels.Length != classNames.Length)
            throw new ArgumentException($"classNames has {classNames.Length} names but classLabels has {classLabels.Length} values. Give one label per class name.", nameof(classLabels));
        if (size <= 0 || size > MaxSize || perClassTrain < 0 || perClassValidation < 0 || perClassTest < 0)
            throw new ArgumentException($"size must be 1 to {MaxSize} (got {size}) and the per-class counts 0 or more (got {perClassTrain}, {perClassValidation}, {perClassTest}).");
        CheckClassNames(classNames);
        if (classLabels.Distinct().Count() != classLabels.Length)
            throw new ArgumentException($"classLabels [{string.Join(", ", classLabels)}] repeats a label; each class needs its own label.", nameof(classLabels));
        if (File.Exists(outDir))
            throw new IOException($"'{outDir}' is a file, not a folder. Choose another output folder; existing data is never overwritten.");
        foreach (var split in new[] { "train", "validation", "test" })
        {
            string d = Path.Combine(outDir, split);
            if (File.Exists(d) || (Directory.Exists(d) && Directory.EnumerateFileSystemEntries(d).Any()))
                throw new IOException($"'{d}' already exists and is not empty. Delete it or choose another output folder; existing data is never overwritten.");
        }

        float max = System.Numerics.Tensors.TensorPrimitives.Max(images.Span);
        float toBytes = max <= 1f ? 255f : 1f;
        int needed = perClassTrain + perClassValidation + perClassTest;
        var rng = new Random(seed);
        var jobs = new List<(int Image, string Path)>();
        for (int ci = 0; ci < classNames.Length; ci++)
        {
            var members = Enumerable.Range(0, n).Where(i => labels[i] == classLabels[ci]).ToArray();
            if (members.Length < needed)
                throw new ArgumentException($"Class '{classNames[ci]}' (label {classLabels[ci]}) has {members.Length} images but {needed} are needed ({perClassTrain} train + {perClassValidation} validation + {perClassTest} test). Ask for fewer per class.");
            Rng.Shuffle(rng, members);
            int k = 0;
            foreach (var (split, count) in new[] { ("train", perClassTrain), ("validation", perClassValidation), ("test", perClassTest) })
                for (int i = 0; i < count; i++, k++)
                    jobs.Add((members[k], Path.Combine(outDir, split, classNames[ci], $"{classNames[ci]}.{k}.jpg")));
        }
        foreach (var dir in jobs.Select(j => Path.GetDirectoryName(j.Path)!).Distinct()) Directory.CreateDirectory(dir);

        int plane = h * w;
        Parallel.ForEach(jobs, job =>
        {
            var gray = new byte[plane];
            var src = images.Span.Slice(job.Image * plane, plane);
            for (int i = 0; i < plane; i++) gray[i] = (byte)Math.Clamp((int)MathF.Round(src[i] * toBytes), 0, 255);
            byte[] big = Resampler.Resize(gray, h, w, 1, size, size, Interpolation.Bilinear);
            var rgb = new float[size * size * 3];
            for (int i = 0; i < size * size; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = big[i];
            ImageIO.WriteEncoded(rgb, size, size, 3, job.Path, SKEncodedImageFormat.Jpeg, quality, overwrite: false);
        });
        return jobs.Count;
    }
}
