namespace DeepSharp.Vision;

/// <summary>
/// Batches of images listed by file name with their labels (Keras' <c>DataFrameIterator</c>), made by
/// <c>ImageDataGenerator.FlowFromDataFrame</c>
/// or <see cref="ImageDataGenerator.FlowFromCsv"/>. As Keras: rows whose file is missing or has no image extension
/// are dropped (<c>validateFilenames</c>), then rows whose label is not in <c>classes</c>; classes are the sorted
/// distinct labels unless given; the validation subset is the first <c>validationSplit</c> fraction of the remaining
/// rows (not per class); samples keep the rows' order.
/// </summary>
/// <example><code>
/// // labels.csv:  filename,class \n cat.1.jpg,cat \n dog.1.jpg,dog ...
/// using var it = new ImageDataGenerator(rescale: 1.0 / 255)
///     .FlowFromCsv("data/labels.csv", directory: "data/images", targetSize: (150, 150), classMode: ClassMode.Binary);
/// </code></example>
public sealed class DataFrameIterator : BatchIterator
{
    private readonly string[] _paths;
    private readonly int[] _classes;
    private readonly float[]? _raw;
    private readonly int _rawSize;

    /// <summary>Class name → index (empty for Input, None and Raw modes).</summary>
    public IReadOnlyDictionary<string, int> ClassIndices { get; }
    /// <summary>The class index of each sample (empty for Input, None and Raw modes).</summary>
    public IReadOnlyList<int> Classes => _classes;
    /// <summary>The file names as given (kept rows, in order).</summary>
    public IReadOnlyList<string> Filenames { get; }
    public ClassMode ClassMode { get; }
    public ColorMode ColorMode { get; }
    public (int Height, int Width) TargetSize { get; }
    public Interpolation Interpolation { get; }
    public bool KeepAspectRatio { get; }
    /// <summary>Decode JPEGs at a reduced DCT scale when they are much larger than the target (see
    /// <see cref="ImageIO.Load"/>'s fastDecode): faster, but not Keras' exact pixels. Off by default.</summary>
    public bool FastDecode { get; init; }

    internal DataFrameIterator(Rows rows, ImageDataGenerator generator, (int Height, int Width) targetSize, ColorMode colorMode,
        ClassMode classMode, int batchSize, bool shuffle, int seed, Interpolation interpolation, bool keepAspectRatio)
        : base(generator, rows.Paths.Length, [targetSize.Height, targetSize.Width, ImageIO.Channels(colorMode)],
               classMode == ClassMode.Raw ? rows.RawShape : DirectoryIterator.TargetShape(classMode, rows.ClassNames.Length, targetSize, colorMode, generator.DataFormat),
               batchSize, shuffle, seed)
    {
        _paths = rows.Paths;
        _classes = rows.Labels;
        _raw = rows.Raw;
        _rawSize = rows.RawShape is null ? 0 : VisionShapes.Product(rows.RawShape);
        Filenames = rows.Names;
        ClassIndices = rows.ClassNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        ClassMode = classMode;
        ColorMode = colorMode;
        TargetSize = targetSize;
        Interpolation = interpolation;
        KeepAspectRatio = keepAspectRatio;
        // Keras prints this line; DeepSharp logs it (DeepSharpLogging.Logger), the console only when the caller asks.
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(DeepSharp.Logging.DeepSharpLogging.Logger,
            classMode is ClassMode.Input or ClassMode.None or ClassMode.Raw
                ? $"Found {SampleCount} validated image filenames."
                : $"Found {SampleCount} validated image filenames belonging to {rows.ClassNames.Length} classes.");
    }

    /// <summary>The full path of sample <paramref name="index"/>.</summary>
    public string FullPath(int index) => _paths[index];

    protected override void LoadSample(int index, Span<float> destination) =>
        ImageIO.LoadInto(_paths[index], ColorMode, TargetSize, Interpolation, destination, KeepAspectRatio, FastDecode);

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
            case ClassMode.Raw:
                _raw.AsSpan(index * _rawSize, _rawSize).CopyTo(destination);
                break;
            default:
                destination[0] = _classes[index];
                break;
        }
    }

    internal sealed record Rows(string[] Names, string[] Paths, string[] ClassNames, int[] Labels, float[]? Raw, int[]? RawShape);

    /// <summary>Keras' row selection: valid files, known classes, then the subset.</summary>
    internal static Rows Select(IReadOnlyList<string> filenames, IReadOnlyList<string>? labels, Tensor? raw, string? directory,
        IReadOnlyList<string>? classes, ClassMode classMode, Subset? subset, float validationSplit, bool validateFilenames)
    {
        if (labels is not null && labels.Count != filenames.Count)
            throw new ArgumentException($"{filenames.Count} file names but {labels.Count} labels: give one label per file.", nameof(labels));
        if (raw is not null && (raw.Rank == 0 || raw.Dim(0) != filenames.Count))
            throw new ArgumentException($"{filenames.Count} file names but raw targets of shape {Tensor.FormatShape(raw.Shape)}: the first axis must be the samples.", nameof(raw));
        bool needLabels = classMode is ClassMode.Categorical or ClassMode.Binary or ClassMode.Sparse;
        if (needLabels && labels is null)
            throw new ArgumentException($"classMode {classMode} needs a label per file. Pass labels, or use ClassMode.Input / ClassMode.None.");
        if (classMode == ClassMode.Raw && raw is null)
            throw new ArgumentException("classMode Raw needs numeric targets: use the FlowFromDataFrame overload that takes a Tensor of targets.");
        string dir = directory ?? "";
        var keep = Enumerable.Range(0, filenames.Count).ToList();
        if (validateFilenames)
            keep = keep.Where(i => DirectoryIterator.ImageExtensions.Any(e => filenames[i].EndsWith(e, StringComparison.OrdinalIgnoreCase))
                                   && File.Exists(Path.Combine(dir, filenames[i]))).ToList();
        string[] classNames = [];
        if (needLabels)
        {
            if (classes is { Count: > 0 })
            {
                var set = new HashSet<string>(classes, StringComparer.Ordinal);
                keep = keep.Where(i => set.Contains(labels![i])).ToList();
                classNames = set.Order(StringComparer.Ordinal).ToArray();
            }
            else classNames = keep.Select(i => labels![i]).Distinct().Order(StringComparer.Ordinal).ToArray();
            if (classMode == ClassMode.Binary && classNames.Length != 2)
                throw new ArgumentException($"classMode Binary needs exactly 2 classes but the labels have {classNames.Length} ({string.Join(", ", classNames.Take(10))}). Use ClassMode.Categorical or ClassMode.Sparse.", nameof(classMode));
        }
        if (subset is { } s)
        {
            if (validationSplit <= 0)
                throw new ArgumentException($"subset {s} was requested but the ImageDataGenerator has validationSplit 0. Create it with e.g. validationSplit: 0.2.", nameof(subset));
            double v = double.Parse(validationSplit.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
            var (lo, hi) = s == Subset.Validation ? (0.0, v) : (v, 1.0);
            int n = keep.Count;
            keep = keep.GetRange((int)(lo * n), (int)(hi * n) - (int)(lo * n));
        }
        if (keep.Count == 0)
            throw new ArgumentException($"No usable images among the {filenames.Count} files listed" + (dir.Length > 0 ? $" (relative to '{dir}')" : "") +
                ": check that the files exist, have an image extension and (for class modes) a label in classes.");
        var index = classNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        float[]? rawRows = null;
        int[]? rawShape = null;
        if (classMode == ClassMode.Raw)
        {
            rawShape = raw!.Shape[1..].ToArray();
            int size = VisionShapes.Product(rawShape);
            rawRows = new float[keep.Count * size];
            for (int j = 0; j < keep.Count; j++) raw.Span.Slice(keep[j] * size, size).CopyTo(rawRows.AsSpan(j * size, size));
        }
        return new Rows(
            keep.Select(i => filenames[i]).ToArray(),
            keep.Select(i => Path.GetFullPath(Path.Combine(dir, filenames[i]))).ToArray(),
            classNames,
            needLabels ? keep.Select(i => index[labels![i]]).ToArray() : [],
            rawRows, rawShape);
    }
}
