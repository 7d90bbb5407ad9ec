namespace DeepSharp.Vision;

public sealed partial class ImageDataGenerator
{
    /// <summary>
    /// Batches from a folder with one sub-folder per class (Keras' flow_from_directory). Classes are the sorted
    /// sub-folder names (or <paramref name="classes"/>, in the given order); files are listed recursively in sorted order and those
    /// without an image extension are skipped; a class folder without images is an error (Keras silently keeps the
    /// empty class; see docs/KERAS-DIFFERENCES.md). With <paramref name="subset"/>, each class's first
    /// <see cref="ValidationSplit"/> fraction of files is the validation subset and the rest the training subset.
    /// With <paramref name="saveToDir"/>, every augmented image is also written there (to look at the augmentation).
    /// With <paramref name="fastDecode"/>, JPEGs much larger than the target are decoded at a reduced DCT scale
    /// (faster; not Keras' exact pixels).
    /// Linked sub-folders inside a class folder are entered only with <paramref name="followLinks"/> (Keras' follow_links),
    /// and then each real folder once, so a link loop cannot recurse forever.
    /// </summary>
    public DirectoryIterator FlowFromDirectory(string directory, (int Height, int Width)? targetSize = null,
        ColorMode colorMode = ColorMode.Rgb, IReadOnlyList<string>? classes = null, ClassMode classMode = ClassMode.Categorical,
        int batchSize = 32, bool shuffle = true, int? seed = null, Subset? subset = null,
        Interpolation interpolation = Interpolation.Nearest, bool skipBadFiles = false, bool keepAspectRatio = false,
        string? saveToDir = null, string savePrefix = "", string saveFormat = "png", bool fastDecode = false, bool followLinks = false)
    {
        if (classMode == ClassMode.Raw)
            throw new ArgumentException("classMode Raw needs numeric targets per file: use FlowFromDataFrame with a Tensor of targets.", nameof(classMode));
        return new(directory, this, targetSize ?? (256, 256), colorMode, classes, classMode, batchSize, shuffle,
            seed ?? NextSeed(), subset, interpolation, skipBadFiles, keepAspectRatio, followLinks)
        { SaveToDir = saveToDir, SavePrefix = savePrefix, SaveFormat = saveFormat, FastDecode = fastDecode };
    }

    /// <summary>Batches from in-memory images <paramref name="x"/> (NHWC, or NCHW for channels-first; values as stored,
    /// e.g. 0..255) and optional targets <paramref name="y"/> (first axis = samples), with this generator's
    /// augmentation and standardization (Keras' flow).</summary>
    public ArrayIterator Flow(Tensor x, Tensor? y = null, int batchSize = 32, bool shuffle = true, int? seed = null,
        string? saveToDir = null, string savePrefix = "", string saveFormat = "png")
        => new(x, y, this, batchSize, shuffle, seed ?? NextSeed()) { SaveToDir = saveToDir, SavePrefix = savePrefix, SaveFormat = saveFormat };

    /// <summary>
    /// Batches from a list of image files and their class labels (Keras' flow_from_dataframe with x_col/y_col):
    /// <paramref name="filenames"/> are relative to <paramref name="directory"/> (or absolute), <paramref name="labels"/>
    /// holds one class name per file (null for <see cref="ClassMode.Input"/> / <see cref="ClassMode.None"/>).
    /// See <see cref="DataFrameIterator"/> for which rows are kept.
    /// </summary>
    /// <example><code>
    /// var it = gen.FlowFromDataFrame(["a.jpg", "b.jpg"], ["cat", "dog"], directory: "images", targetSize: (150, 150), classMode: ClassMode.Binary);
    /// </code></example>
    public DataFrameIterator FlowFromDataFrame(IReadOnlyList<string> filenames, IReadOnlyList<string>? labels, string? directory = null,
        (int Height, int Width)? targetSize = null, ColorMode colorMode = ColorMode.Rgb, IReadOnlyList<string>? classes = null,
        ClassMode classMode = ClassMode.Categorical, int batchSize = 32, bool shuffle = true, int? seed = null, Subset? subset = null,
        Interpolation interpolation = Interpolation.Nearest, bool validateFilenames = true, bool keepAspectRatio = false,
        string? saveToDir = null, string savePrefix = "", string saveFormat = "png", bool fastDecode = false)
    {
        var rows = DataFrameIterator.Select(filenames, labels, null, directory, classes, classMode, subset, ValidationSplit, validateFilenames);
        return new DataFrameIterator(rows, this, targetSize ?? (256, 256), colorMode, classMode, batchSize, shuffle, seed ?? NextSeed(),
            interpolation, keepAspectRatio) { SaveToDir = saveToDir, SavePrefix = savePrefix, SaveFormat = saveFormat, FastDecode = fastDecode };
    }

    /// <summary>Batches from a list of image files and numeric targets (Keras' flow_from_dataframe with class_mode "raw"):
    /// row i of <paramref name="targets"/> (first axis = files) is the target of file i, e.g. a regression value.</summary>
    public DataFrameIterator FlowFromDataFrame(IReadOnlyList<string> filenames, Tensor targets, string? directory = null,
        (int Height, int Width)? targetSize = null, ColorMode colorMode = ColorMode.Rgb, int batchSize = 32, bool shuffle = true,
        int? seed = null, Subset? subset = null, Interpolation interpolation = Interpolation.Nearest, bool validateFilenames = true,
        bool keepAspectRatio = false, string? saveToDir = null, string savePrefix = "", string saveFormat = "png", bool fastDecode = false)
    {
        var rows = DataFrameIterator.Select(filenames, null, targets, directory, null, ClassMode.Raw, subset, ValidationSplit, validateFilenames);
        return new DataFrameIterator(rows, this, targetSize ?? (256, 256), colorMode, ClassMode.Raw, batchSize, shuffle, seed ?? NextSeed(),
            interpolation, keepAspectRatio) { SaveToDir = saveToDir, SavePrefix = savePrefix, SaveFormat = saveFormat, FastDecode = fastDecode };
    }

    /// <summary>
    /// Batches from a CSV file of image paths and labels (the common "dataframe" layout): a header row naming the
    /// columns, <paramref name="xCol"/> the file names (relative to <paramref name="directory"/>, default the CSV's
    /// folder), <paramref name="yCol"/> the class names (or numbers, for <see cref="ClassMode.Raw"/>). Fields may be quoted.
    /// </summary>
    /// <example><code>
    /// using var train = gen.FlowFromCsv("train.csv", xCol: "id", yCol: "label", targetSize: (150, 150), classMode: ClassMode.Binary);
    /// </code></example>
    public DataFrameIterator FlowFromCsv(string csvPath, string xCol = "filename", string yCol = "class", string? directory = null,
        (int Height, int Width)? targetSize = null, ColorMode colorMode = ColorMode.Rgb, IReadOnlyList<string>? classes = null,
        ClassMode classMode = ClassMode.Categorical, int batchSize = 32, bool shuffle = true, int? seed = null, Subset? subset = null,
        Interpolation interpolation = Interpolation.Nearest, bool validateFilenames = true, bool keepAspectRatio = false,
        string? saveToDir = null, string savePrefix = "", string saveFormat = "png", bool fastDecode = false)
    {
        var (files, labels) = CsvTable.ReadColumns(csvPath, xCol, classMode is ClassMode.Input or ClassMode.None ? null : yCol);
        directory ??= Path.GetDirectoryName(Path.GetFullPath(csvPath));
        if (classMode == ClassMode.Raw)
        {
            var values = new float[labels!.Length];
            for (int i = 0; i < values.Length; i++)
                if (!float.TryParse(labels[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
                    throw new FormatException($"'{csvPath}' row {i + 2}: column '{yCol}' is \"{labels[i]}\", not a number; classMode Raw needs numeric targets.");
            return FlowFromDataFrame(files, Tensor.FromArray(values, values.Length), directory, targetSize, colorMode, batchSize, shuffle,
                seed, subset, interpolation, validateFilenames, keepAspectRatio, saveToDir, savePrefix, saveFormat, fastDecode);
        }
        return FlowFromDataFrame(files, labels, directory, targetSize, colorMode, classes, classMode, batchSize, shuffle, seed, subset,
            interpolation, validateFilenames, keepAspectRatio, saveToDir, savePrefix, saveFormat, fastDecode);
    }
}
