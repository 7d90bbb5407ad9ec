using System.Globalization;

namespace DeepSharp.Vision;

/// <summary>
/// Batches of images read from a folder with one sub-folder per class (Keras' <c>DirectoryIterator</c>), made by
/// <see cref="ImageDataGenerator.FlowFromDirectory"/>. Endless: after the last batch of a pass the next pass starts.
/// <see cref="Filenames"/> and <see cref="Classes"/> list the files in sample order: class by class (in
/// <see cref="ClassIndices"/> order), sorted within a class; with <c>shuffle: false</c> the batches follow that order.
/// The data folder is only read, never written.
/// </summary>
/// <example><code>
/// using var val = new ImageDataGenerator(rescale: 1.0 / 255)
///     .FlowFromDirectory("data/validation", (150, 150), batchSize: 20, classMode: ClassMode.Binary, shuffle: false);
/// Console.WriteLine(string.Join(", ", val.ClassIndices));   // [cats, 0], [dogs, 1]
/// var (x, y) = val.Next();                                   // files val.Filenames[0..20]
/// </code></example>
public sealed class DirectoryIterator : BatchIterator
{
    /// <summary>Keras' white list (png jpg jpeg bmp ppm tif tiff) plus gif and webp (a deliberate difference, see docs/KERAS-DIFFERENCES.md). SkiaSharp cannot decode ppm and tif files:
    /// they are listed (as in Keras) but fail to decode with a message saying so.</summary>
    public static readonly IReadOnlyList<string> ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff", ".gif", ".webp"];

    private readonly string[] _paths;
    private readonly int[] _classes;

    /// <summary>The folder the files are read from (full path).</summary>
    public string Directory { get; }
    /// <summary>Class name → index: sorted sub-folder names or the given list. The sort is ordinal UTF-16 order, the same
    /// as Python's sorted() except when a character above U+FFFF meets one in U+E000–U+FFFF (docs/KERAS-DIFFERENCES.md).</summary>
    public IReadOnlyDictionary<string, int> ClassIndices { get; }
    /// <summary>The class index of each sample, in sample order.</summary>
    public IReadOnlyList<int> Classes => _classes;
    /// <summary>Each sample's path relative to <see cref="Directory"/> ('/' separated), in sample order.</summary>
    public IReadOnlyList<string> Filenames { get; }
    public ClassMode ClassMode { get; }
    public ColorMode ColorMode { get; }
    public (int Height, int Width) TargetSize { get; }
    public Interpolation Interpolation { get; }
    /// <summary>Files that failed to decode and were skipped (only with skipBadFiles; otherwise they raise an error).</summary>
    public int BadFileCount { get; }
    /// <summary>The skipped files (relative paths).</summary>
    public IReadOnlyList<string> BadFiles { get; }

    internal DirectoryIterator(string directory, ImageDataGenerator generator, (int Height, int Width) targetSize, ColorMode colorMode,
        IReadOnlyList<string>? classes, ClassMode classMode, int batchSize, bool shuffle, int seed, Subset? subset,
        Interpolation interpolation, bool skipBadFiles, bool keepAspectRatio = false, bool followLinks = false)
        : this(Scan(directory, generator, targetSize, classes, classMode, subset, colorMode, interpolation, skipBadFiles, followLinks),
               generator, targetSize, colorMode, classMode, batchSize, shuffle, seed, interpolation)
    {
        KeepAspectRatio = keepAspectRatio;
    }

    /// <summary>Crop the largest centred region with the target's aspect ratio before resizing (Keras' keep_aspect_ratio).</summary>
    public bool KeepAspectRatio { get; }
    /// <summary>Decode JPEGs at a reduced DCT scale when they are much larger than the target (see
    /// <see cref="ImageIO.Load"/>'s fastDecode): faster, but not Keras' exact pixels. Off by default.</summary>
    public bool FastDecode { get; init; }

    private DirectoryIterator(ScanResult scan, ImageDataGenerator generator, (int Height, int Width) targetSize, ColorMode colorMode,
        ClassMode classMode, int batchSize, bool shuffle, int seed, Interpolation interpolation)
        : base(generator, scan.Paths.Length, [targetSize.Height, targetSize.Width, ImageIO.Channels(colorMode)],
               TargetShape(classMode, scan.ClassNames.Length, targetSize, colorMode, generator.DataFormat), batchSize, shuffle, seed)
    {
        Directory = scan.Root;
        _paths = scan.Paths;
        _classes = scan.Labels;
        Filenames = scan.Relative;
        ClassIndices = scan.ClassNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        ClassMode = classMode;
        ColorMode = colorMode;
        TargetSize = targetSize;
        Interpolation = interpolation;
        BadFiles = scan.Bad;
        BadFileCount = scan.Bad.Length;
        // Keras prints this line; DeepSharp logs it (DeepSharpLogging.Logger), the console only when the caller asks.
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(DeepSharp.Logging.DeepSharpLogging.Logger,
            "Found {Count} images belonging to {Classes} classes.{Skipped}", SampleCount, scan.ClassNames.Length,
            BadFileCount > 0 ? $" Skipped {BadFileCount} bad files." : "");
    }

    /// <summary>The full path of sample <paramref name="index"/>.</summary>
    public string FullPath(int index) => _paths[index];

    internal static int[]? TargetShape(ClassMode mode, int classCount, (int Height, int Width) size, ColorMode color, DataFormat format) => mode switch
    {
        ClassMode.Categorical => [classCount],
        ClassMode.Binary or ClassMode.Sparse => [],
        ClassMode.Input => format == DataFormat.ChannelsFirst ? [ImageIO.Channels(color), size.Height, size.Width] : [size.Height, size.Width, ImageIO.Channels(color)],
        _ => null,
    };

    protected override void LoadSample(int index, Span<float> destination)
    {
        ImageIO.LoadInto(_paths[index], ColorMode, TargetSize, Interpolation, destination, KeepAspectRatio, FastDecode);
    }

    protected override void WriteTarget(int index, ReadOnlySpan<float> input, Span<float> destination)
    {
        switch (ClassMode)
        {
            case ClassMode.Categorical:
                destination.Clear();
                destination[_classes[index]] = 1f;
                break;
            case ClassMode.Input:
                input.CopyTo(destination);
                break;
            default:
                destination[0] = _classes[index];
                break;
        }
    }

    private sealed record ScanResult(string Root, string[] ClassNames, string[] Paths, string[] Relative, int[] Labels, string[] Bad);

    private static ScanResult Scan(string directory, ImageDataGenerator generator, (int Height, int Width) targetSize,
        IReadOnlyList<string>? classes, ClassMode classMode, Subset? subset, ColorMode colorMode, Interpolation interpolation, bool skipBadFiles, bool followLinks)
    {
        if (targetSize.Height <= 0 || targetSize.Width <= 0)
            throw new ArgumentException($"targetSize ({targetSize.Height}, {targetSize.Width}) has a zero or negative side. Give a (height, width) of at least (1, 1), e.g. (150, 150).", nameof(targetSize));
        string root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
            throw new DirectoryNotFoundException($"Image folder '{directory}' does not exist. Expected a folder with one sub-folder per class, e.g. {directory}/cats/*.jpg and {directory}/dogs/*.jpg.");

        string[] classNames;
        if (classes is null)
        {
            classNames = System.IO.Directory.GetDirectories(root).Select(Path.GetFileName).Select(n => n!).Order(StringComparer.Ordinal).ToArray();
            if (classNames.Length == 0)
            {
                int loose = System.IO.Directory.EnumerateFiles(root).Count(IsImage);
                throw new ArgumentException($"Image folder '{directory}' has no class sub-folders" +
                    (loose > 0 ? $" (it holds {loose} image files directly)" : "") +
                    $". Put each class's images in its own sub-folder, e.g. {directory}/cats/*.jpg and {directory}/dogs/*.jpg.");
            }
        }
        else
        {
            classNames = classes.ToArray();
            if (classNames.Length == 0) throw new ArgumentException("classes is an empty list. Pass null to use the sub-folder names, or name at least one class.", nameof(classes));
            foreach (var name in classNames)
                if (!System.IO.Directory.Exists(Path.Combine(root, name)))
                    throw new DirectoryNotFoundException($"Class folder '{Path.Combine(directory, name)}' does not exist. Classes given: {string.Join(", ", classNames)}; sub-folders found: {string.Join(", ", System.IO.Directory.GetDirectories(root).Select(Path.GetFileName))}.");
        }
        if (classMode == ClassMode.Binary && classNames.Length != 2)
            throw new ArgumentException($"classMode Binary needs exactly 2 classes but '{directory}' has {classNames.Length} ({string.Join(", ", classNames)}). Use ClassMode.Categorical (softmax) or ClassMode.Sparse for more classes.", nameof(classMode));

        (double Start, double Stop)? split = null;
        if (subset is { } s)
        {
            if (generator.ValidationSplit <= 0)
                throw new ArgumentException($"subset {s} was requested but the ImageDataGenerator has validationSplit 0. Create it with e.g. validationSplit: 0.2.", nameof(subset));
            // The float as written (0.2f → 0.2), so the per-class cut is int(split * n) as in Python.
            double v = double.Parse(generator.ValidationSplit.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            split = s == Subset.Validation ? (0, v) : (v, 1);
        }

        var paths = new List<string>();
        var relative = new List<string>();
        var labels = new List<int>();
        // A class folder that is a link out of the data folder (to '/', say) is entered only when links are followed.
        if (!followLinks)
            foreach (var name in classNames)
                if (FolderWalker.LinksOutside(Path.Combine(root, name), root))
                    throw new ArgumentException($"Class folder '{Path.Combine(directory, name)}' is a link to '{RealPath.Of(Path.Combine(root, name))}', outside '{directory}'. " +
                        "Links are followed only when asked (followLinks: true, --follow-links); or copy the images into the data folder.");
        var visited = new HashSet<string>(StringComparer.Ordinal) { RealPath.Of(root) };
        foreach (var name in classNames) visited.Add(RealPath.Of(Path.Combine(root, name)));
        for (int ci = 0; ci < classNames.Length; ci++)
        {
            string classDir = Path.Combine(root, classNames[ci]);
            var files = ListImages(classDir, followLinks, visited);
            if (files.Count == 0)
                throw new ArgumentException($"Class folder '{Path.Combine(directory, classNames[ci])}' holds no images (looked for {string.Join(" ", ImageExtensions)}). Add images or remove the folder.");
            int start = 0, stop = files.Count;
            if (split is { } sp)
            {
                start = (int)(sp.Start * files.Count);
                stop = (int)(sp.Stop * files.Count);
            }
            for (int i = start; i < stop; i++)
            {
                paths.Add(files[i]);
                relative.Add(Path.GetRelativePath(root, files[i]).Replace('\\', '/'));
                labels.Add(ci);
            }
        }

        var bad = new List<string>();
        if (skipBadFiles && paths.Count > 0)
        {
            var ok = new bool[paths.Count];
            Parallel.For(0, paths.Count, i =>
            {
                try
                {
                    byte[] px = ImageIO.DecodeRgbaPooled(paths[i], out _, out _, out bool rented);
                    if (rented) System.Buffers.ArrayPool<byte>.Shared.Return(px);
                    ok[i] = true;
                }
                catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException) { ok[i] = false; }
            });
            for (int i = paths.Count - 1; i >= 0; i--)
                if (!ok[i])
                {
                    bad.Insert(0, relative[i]);
                    paths.RemoveAt(i);
                    relative.RemoveAt(i);
                    labels.RemoveAt(i);
                }
        }
        if (paths.Count == 0)
            throw new ArgumentException($"No usable images found in '{directory}'" + (subset is null ? "" : $" for subset {subset} (validationSplit {generator.ValidationSplit})") +
                (bad.Count > 0 ? $": all {bad.Count} files failed to decode." : ".") + " Check the folder and the split.");
        return new ScanResult(root, classNames, paths.ToArray(), relative.ToArray(), labels.ToArray(), bad.ToArray());
    }

    private static bool IsImage(string path) => FolderWalker.IsImage(path);

    /// <summary>
    /// Image files under a class folder, recursively (<see cref="FolderWalker"/>): folders in sorted order, files sorted
    /// within each (as Keras). Linked sub-folders are entered only with <paramref name="followLinks"/> (Keras' follow_links,
    /// default off), and then only folders whose real path is not in <paramref name="visited"/> (the data folder, every class
    /// folder, and the folders listed so far): a link loop (<c>ln -s .. a/loop</c>) ends, and a link into another class is
    /// not counted twice under the wrong label.
    /// </summary>
    private static List<string> ListImages(string classDir, bool followLinks, HashSet<string> visited) =>
        FolderWalker.ImageFiles(classDir, followLinks, visited);
}
