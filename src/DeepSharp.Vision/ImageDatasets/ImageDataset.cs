using DeepSharp.Data;

namespace DeepSharp.Vision;

/// <summary>
/// A dataset of images read from a folder (Keras 3's <c>keras.utils.image_dataset_from_directory</c>): batches of
/// (batch, height, width, channels) floats 0..255 and their labels, decoded and resized on background threads.
/// <see cref="ClassNames"/> and <see cref="FilePaths"/> are Keras' <c>class_names</c> and <c>file_paths</c>. It is a
/// <see cref="Dataset"/>: Map, Cache, Prefetch, Take, ... and <c>model.Fit(dataset, epochs: 30, validationData: ...)</c>.
/// </summary>
/// <remarks>
/// The file list, its seeded shuffle and the validation split are Keras' own (numpy's RandomState, ported bit for bit):
/// the same seed gives the same training and validation files as Keras. Within a pass the order comes from a shuffle
/// buffer of 8 batches, drawn anew every epoch, as Keras' tf.data pipeline does, but from .NET's generator, so that
/// order is not TensorFlow's. Resizing uses Pillow's filters (as <c>ImageDataGenerator</c>), antialiased when shrinking,
/// where tf.image.resize is not; see docs/KERAS-DIFFERENCES.md.
/// </remarks>
/// <example><code>
/// var (train, validation) = ImageDataset.FromDirectorySplit("flowers", validationSplit: 0.2, seed: 1337, imageSize: (180, 180));
/// Console.WriteLine(string.Join(", ", train.ClassNames!));
/// model.Fit(train, epochs: 10, validationData: validation);
/// </code></example>
public sealed partial class ImageDataset : DatasetSource
{
    private readonly Dataset _pipeline;

    /// <summary>The class names in label order: the sorted sub-folders, the given classNames, or the sorted distinct
    /// explicit labels as text; null without labels.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The image files in the order of the list the dataset reads (after Keras' seeded shuffle and split).</summary>
    public IReadOnlyList<string> FilePaths { get; }

    /// <summary>The integer label of each file of <see cref="FilePaths"/>; null without labels.</summary>
    public IReadOnlyList<int>? Labels { get; }

    /// <summary>The seed of the file-list shuffle and of the shuffle buffer (drawn from 0 .. 999,999 when none was given, as Keras).</summary>
    public int Seed { get; }

    private readonly bool _batched;

    private ImageDataset(Dataset pipeline, bool batched, IReadOnlyList<string>? classNames, List<string> paths, List<int>? labels, int seed)
    {
        _pipeline = pipeline;
        _batched = batched;
        ClassNames = classNames;
        FilePaths = paths;
        Labels = labels;
        Seed = seed;
    }

    /// <inheritdoc/>
    public override long Cardinality => _pipeline.Cardinality;

    /// <summary>The pipeline that lists, decodes, batches and prefetches the files (its buffers and threads are kept).</summary>
    protected override IEnumerable<(Tensor X, Tensor? Y)> ReadElements() => _pipeline;

    /// <inheritdoc/>
    protected override bool ElementsAreBatches => _batched;

    /// <inheritdoc/>
    protected override long SampleCount => FilePaths.Count;

    /// <summary>
    /// Lists the images of <paramref name="directory"/> (one sub-folder per class) and returns a dataset of batches
    /// (Keras' <c>image_dataset_from_directory</c>, same arguments and defaults). Nothing is decoded yet: decoding
    /// happens as the dataset is read, on one thread per core, a few batches ahead.
    /// </summary>
    /// <param name="directory">The folder. With inferred labels, each sub-folder not starting with '.' is a class.</param>
    /// <param name="labels">null (Keras' "inferred": from the sub-folders), or one integer label per image file of the whole
    /// folder in sorted path order (folders sorted, files sorted within each). Keras' <c>labels=None</c> is
    /// <paramref name="labelMode"/> <see cref="LabelMode.None"/>.</param>
    /// <param name="labelMode">Int (default: the class index), Categorical (one-hot), Binary ((batch, 1) floats, 2 classes) or None.</param>
    /// <param name="classNames">With inferred labels only: the classes to read, in label order (a subset of the sub-folders).</param>
    /// <param name="colorMode">Rgb (default), Grayscale or Rgba: 3, 1 or 4 channels.</param>
    /// <param name="batchSize">Images per batch (default 32); null yields single images (h, w, c).</param>
    /// <param name="imageSize">(height, width) every image is resized to; default (256, 256).</param>
    /// <param name="shuffle">Shuffle the file list once with <paramref name="seed"/> (numpy's RandomState, as Keras) and the
    /// elements of every pass with a buffer of 8 batches (1024 images unbatched). False: sorted order.</param>
    /// <param name="seed">The seed; required with <paramref name="validationSplit"/> when shuffling.</param>
    /// <param name="validationSplit">The fraction of files (after the seeded shuffle: the last ones) kept for validation; needs <paramref name="subset"/>.</param>
    /// <param name="subset">Which part of the split this dataset reads (for both at once use <see cref="FromDirectorySplit"/>).</param>
    /// <param name="interpolation">The resize filter (default Bilinear; Keras' "area" is <see cref="Interpolation.Area"/>, "lanczos3" <see cref="Interpolation.Lanczos"/>).</param>
    /// <param name="followLinks">Enter sub-folders that are links (default false; a class folder linking outside the folder is an error unless true).</param>
    /// <param name="cropToAspectRatio">Crop the largest centred region with the target's aspect ratio before resizing.</param>
    /// <param name="padToAspectRatio">Pad (with zeros) to the target's aspect ratio before resizing.</param>
    /// <param name="verbose">Log "Found N files belonging to M classes." to <see cref="Logging.DeepSharpLogging.Logger"/>.</param>
    /// <exception cref="ArgumentException">An argument Keras rejects; the message names it and the fix.</exception>
    /// <example><code>
    /// var train = ImageDataset.FromDirectory("cats_and_dogs_small/train", imageSize: (180, 180), batchSize: 32, labelMode: LabelMode.Binary);
    /// foreach (var (images, labels) in train.Take(1)) Console.WriteLine(Tensor.FormatShape(images.Shape));   // (32, 180, 180, 3)
    /// </code></example>
    public static ImageDataset FromDirectory(string directory, IReadOnlyList<int>? labels = null, LabelMode labelMode = LabelMode.Int,
        IReadOnlyList<string>? classNames = null, ColorMode colorMode = ColorMode.Rgb, int? batchSize = 32,
        (int Height, int Width)? imageSize = null, bool shuffle = true, int? seed = null, double? validationSplit = null,
        Subset? subset = null, Interpolation interpolation = Interpolation.Bilinear, bool followLinks = false,
        bool cropToAspectRatio = false, bool padToAspectRatio = false, bool verbose = true)
    {
        var o = Check(directory, labels, labelMode, classNames, colorMode, batchSize, imageSize, interpolation, cropToAspectRatio, padToAspectRatio);
        DirectoryIndex.CheckValidationSplit(validationSplit, subset?.ToString().ToLowerInvariant(), shuffle, seed);
        int s = seed ?? Random.Shared.Next(1_000_000);
        var listing = List(directory, labels, o, classNames, shuffle, s, followLinks, verbose);
        var (paths, fileLabels) = DirectoryIndex.Split(listing.Paths, listing.Labels, validationSplit, subset);
        if (paths.Count == 0)
            throw new ArgumentException($"No images found in directory '{directory}'{(subset is null ? "" : $" for subset {subset} (validationSplit {validationSplit})")}. " +
                $"Allowed formats: {string.Join(" ", DirectoryIndex.AllowlistFormats)}.", nameof(directory));
        return Build(o, paths, fileLabels, listing.ClassNames, shuffle, s);
    }

    /// <summary>
    /// The training and the validation dataset of one folder at once (Keras' <c>subset="both"</c>): the file list is read
    /// and shuffled once, the last <paramref name="validationSplit"/> of it validates. The training dataset shuffles every
    /// epoch (when <paramref name="shuffle"/>), the validation dataset keeps its order. Arguments as
    /// <see cref="FromDirectory"/>.
    /// </summary>
    /// <example><code>
    /// var (train, val) = ImageDataset.FromDirectorySplit("flowers", validationSplit: 0.2, seed: 123, imageSize: (180, 180));
    /// </code></example>
    public static (ImageDataset Training, ImageDataset Validation) FromDirectorySplit(string directory, double validationSplit,
        int? seed = null, IReadOnlyList<int>? labels = null, LabelMode labelMode = LabelMode.Int, IReadOnlyList<string>? classNames = null,
        ColorMode colorMode = ColorMode.Rgb, int? batchSize = 32, (int Height, int Width)? imageSize = null, bool shuffle = true,
        Interpolation interpolation = Interpolation.Bilinear, bool followLinks = false, bool cropToAspectRatio = false,
        bool padToAspectRatio = false, bool verbose = true)
    {
        var o = Check(directory, labels, labelMode, classNames, colorMode, batchSize, imageSize, interpolation, cropToAspectRatio, padToAspectRatio);
        if (validationSplit == 0)
            throw new ArgumentOutOfRangeException(nameof(validationSplit), "FromDirectorySplit needs a validationSplit between 0 and 1 (e.g. 0.2), received: 0.");
        DirectoryIndex.CheckValidationSplit(validationSplit, "both", shuffle, seed);
        int s = seed ?? Random.Shared.Next(1_000_000);
        var listing = List(directory, labels, o, classNames, shuffle, s, followLinks, verbose);
        var (trainPaths, trainLabels) = DirectoryIndex.Split(listing.Paths, listing.Labels, validationSplit, Subset.Training);
        var (valPaths, valLabels) = DirectoryIndex.Split(listing.Paths, listing.Labels, validationSplit, Subset.Validation);
        string formats = string.Join(" ", DirectoryIndex.AllowlistFormats);
        if (trainPaths.Count == 0)
            throw new ArgumentException($"No training images found in directory '{directory}' ({listing.Paths.Count} files, validationSplit {validationSplit}). Allowed formats: {formats}.", nameof(directory));
        if (valPaths.Count == 0)
            throw new ArgumentException($"No validation images found in directory '{directory}' ({listing.Paths.Count} files × validationSplit {validationSplit} rounds down to 0). Allowed formats: {formats}. Use a larger validationSplit or more images.", nameof(directory));
        return (Build(o, trainPaths, trainLabels, listing.ClassNames, shuffle, s), Build(o, valPaths, valLabels, listing.ClassNames, false, s));
    }
}
