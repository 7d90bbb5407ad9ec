using DeepSharp.Data;

namespace DeepSharp.Vision;

public sealed partial class ImageDataset
{
    private sealed record Options(LabelMode LabelMode, ColorMode ColorMode, int? BatchSize, (int Height, int Width) Size,
        Interpolation Interpolation, bool Crop, bool Pad);

    /// <summary>image_dataset_from_directory's argument checks, in Keras' order, before the folder is read.</summary>
    private static Options Check(string directory, IReadOnlyList<int>? labels, LabelMode labelMode, IReadOnlyList<string>? classNames,
        ColorMode colorMode, int? batchSize, (int Height, int Width)? imageSize, Interpolation interpolation, bool crop, bool pad)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (labels is not null && classNames is not null)
            throw new ArgumentException($"You can only pass classNames if labels are inferred (labels: null). Received: labels ({labels.Count} values), and classNames=[{string.Join(", ", classNames)}].", nameof(classNames));
        if (!Enum.IsDefined(labelMode))
            throw new ArgumentOutOfRangeException(nameof(labelMode), $"labelMode must be one of Int, Categorical, Binary or None. Received: {(int)labelMode}.");
        if (!Enum.IsDefined(colorMode))
            throw new ArgumentOutOfRangeException(nameof(colorMode), $"colorMode must be one of Rgb, Rgba or Grayscale. Received: {(int)colorMode}.");
        var size = imageSize ?? (256, 256);
        if (size.Height <= 0 || size.Width <= 0)
            throw new ArgumentOutOfRangeException(nameof(imageSize), $"Invalid imageSize ({size.Height}, {size.Width}). Expected a (height, width) of positive integers, e.g. (180, 180).");
        if (!Enum.IsDefined(interpolation))
            throw new ArgumentOutOfRangeException(nameof(interpolation), $"interpolation must be one of {string.Join(", ", Enum.GetNames<Interpolation>())}. Received: {(int)interpolation}.");
        if (batchSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be at least 1 (Keras' default is 32), or null for single images. Received: {batchSize}.");
        if (crop && pad)
            throw new ArgumentException("Only one of padToAspectRatio and cropToAspectRatio can be true.", "padToAspectRatio");
        return new Options(labelMode, colorMode, batchSize, size, interpolation, crop, pad);
    }

    private static DirectoryIndex.Listing List(string directory, IReadOnlyList<int>? labels, Options o, IReadOnlyList<string>? classNames,
        bool shuffle, int seed, bool followLinks, bool verbose)
    {
        bool noLabels = o.LabelMode == LabelMode.None;
        var listing = DirectoryIndex.Index(directory, noLabels ? null : labels, noLabels, classNames, shuffle, seed, followLinks, verbose);
        if (o.LabelMode == LabelMode.Binary && listing.ClassNames!.Length != 2)
            throw new ArgumentException($"labelMode Binary needs exactly 2 classes, but '{directory}' has {listing.ClassNames.Length}: [{string.Join(", ", listing.ClassNames)}]. " +
                "Use LabelMode.Categorical or LabelMode.Int for more classes, or pass classNames with two of them.", "labelMode");
        return listing;
    }

    /// <summary>Keras' pipeline (_paths_and_labels_to_dataset_tf): the file indices, shuffled with a buffer of 8 batches,
    /// decoded in parallel (num_parallel_calls=AUTOTUNE), batched, prefetched.</summary>
    private static ImageDataset Build(Options o, List<string> paths, List<int>? labels, string[]? classNames, bool shuffle, int seed)
    {
        var targets = labels is null ? null : LabelTensors(labels, o.LabelMode, classNames!.Length);
        var pathArray = paths.ToArray();
        Dataset ds = Dataset.Range(paths.Count);
        if (shuffle) ds = ds.Shuffle(o.BatchSize is { } b ? b * 8 : 1024, seed);
        // Each image is decoded into a buffer of the stage's pool; Batch copies it into the batch and hands it back (as the
        // final consumer does for unbatched elements), so the steady state allocates no image memory (an image is a large
        // object). Decode errors (ImageDecodeException, an IFileError) name their file and surface unchanged.
        ds = ds.MapInto([o.Size.Height, o.Size.Width, ImageIO.Channels(o.ColorMode)], (index, _, image) =>
        {
            int i = (int)index.Span[0];
            Decode(pathArray[i], o, image);
            return targets?[i];
        }, Autotune);
        if (o.BatchSize is { } batch) ds = ds.Batch(batch);
        ds = ds.Prefetch(Autotune);
        return new ImageDataset(ds, o.BatchSize is not null, classNames, paths, labels, seed);
    }

    /// <summary>One target tensor per file (shared by files of one label): a scalar (Int), one-hot (Categorical; a label
    /// outside the classes gives zeros, as tf.one_hot) or (1) (Binary).</summary>
    private static Tensor[] LabelTensors(List<int> labels, LabelMode mode, int classCount)
    {
        var byLabel = new Dictionary<int, Tensor>();
        var result = new Tensor[labels.Count];
        for (int i = 0; i < labels.Count; i++)
        {
            int l = labels[i];
            if (!byLabel.TryGetValue(l, out var t))
            {
                switch (mode)
                {
                    case LabelMode.Categorical:
                        t = new Tensor(classCount);
                        if (l >= 0 && l < classCount) t[l] = 1f;
                        break;
                    case LabelMode.Binary:
                        t = Tensor.FromArray([l], 1);
                        break;
                    default:
                        t = Tensor.FromArray([l]);
                        break;
                }
                byLabel[l] = t;
            }
            result[i] = t;
        }
        return result;
    }

    /// <summary>Decodes and resizes one file into <paramref name="t"/> (ImageIO: today's limits and errors naming the file).</summary>
    private static void Decode(string path, Options o, Tensor t)
    {
        if (o.Pad) ImageIO.LoadPaddedInto(path, o.ColorMode, o.Size, o.Interpolation, t.Span);
        else ImageIO.LoadInto(path, o.ColorMode, o.Size, o.Interpolation, t.Span, keepAspectRatio: o.Crop);
    }
}
