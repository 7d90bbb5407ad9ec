using DeepSharp.Logging;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Vision;

/// <summary>
/// Keras 3's listing of an image folder, ported from keras-team/keras, keras/src/utils/dataset_utils.py
/// (commit 3422977a: <c>index_directory</c>, <c>iter_valid_files</c>, <c>index_subdirectory</c>,
/// <c>get_training_or_validation_split</c>, <c>check_validation_split_arg</c>): class folders are the sub-folders not
/// starting with '.', sorted (or <c>classNames</c> in the given order); each is walked with its folders sorted by path
/// and the files of each sorted; files are kept by Keras' allowlist (.bmp .gif .jpeg .jpg .png, any case). Then the
/// whole list (and the labels, with the same permutation) is shuffled with numpy's <c>RandomState(seed).shuffle</c>
/// when shuffling, before the split, which takes the last <c>int(validationSplit * n)</c> files for validation.
/// The walk is <see cref="FolderWalker"/>'s (today's link rules: see docs/KERAS-DIFFERENCES.md).
/// </summary>
internal static class DirectoryIndex
{
    /// <summary>Keras 3's ALLOWLIST_FORMATS (image_dataset_utils.py).</summary>
    public static readonly IReadOnlyList<string> AllowlistFormats = [".bmp", ".gif", ".jpeg", ".jpg", ".png"];

    public sealed record Listing(List<string> Paths, List<int>? Labels, string[]? ClassNames);

    /// <param name="labels">null: inferred from the folders; else one label per file in sorted order.</param>
    /// <param name="noLabels">Keras' labels=None / label_mode=None.</param>
    public static Listing Index(string directory, IReadOnlyList<int>? labels, bool noLabels, IReadOnlyList<string>? classNames,
        bool shuffle, int seed, bool followLinks, bool verbose)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Image folder '{directory}' does not exist. Expected a folder with one sub-folder per class, e.g. {directory}/cats/*.jpg and {directory}/dogs/*.jpg.");
        string root = Path.GetFullPath(directory);
        bool inferred = labels is null && !noLabels;
        string[] subdirs;
        if (inferred)
        {
            var found = Directory.GetDirectories(root).Select(d => Path.GetFileName(d)!).Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
            if (classNames is not null)
            {
                var missing = classNames.Where(c => !found.Contains(c, StringComparer.Ordinal)).ToArray();
                if (missing.Length > 0)
                    throw new ArgumentException($"The classNames passed did not match the names of the sub-folders of '{directory}'. Expected: [{string.Join(", ", found)}] (or a subset of it), " +
                        $"but received: classNames=[{string.Join(", ", classNames)}] ({string.Join(", ", missing)} not found).", nameof(classNames));
                subdirs = classNames.ToArray();   // Keep provided order.
            }
            else subdirs = found;
        }
        else
        {
            if (classNames is not null)
                throw new ArgumentException(noLabels
                    ? "When there are no labels (labelMode: LabelMode.None), classNames cannot be specified."
                    : "When labels are given explicitly, classNames cannot be specified (the class names will be the sorted list of labels).", nameof(classNames));
            subdirs = [""];
        }

        var paths = new List<string>();
        var fileLabels = new List<int>();
        if (inferred && !followLinks)
            foreach (var name in subdirs)
                if (FolderWalker.LinksOutside(Path.Combine(root, name), root))
                    throw new ArgumentException($"Class folder '{Path.Combine(directory, name)}' is a link to '{RealPath.Of(Path.Combine(root, name))}', outside '{directory}'. " +
                        "Links are followed only when asked (followLinks: true); or copy the images into the data folder.", nameof(followLinks));
        var visited = new HashSet<string>(StringComparer.Ordinal) { RealPath.Of(root) };
        foreach (var name in subdirs) visited.Add(RealPath.Of(Path.Combine(root, name)));
        for (int ci = 0; ci < subdirs.Length; ci++)
        {
            string start = subdirs[ci].Length == 0 ? directory : Path.Combine(directory, subdirs[ci]);
            var files = FolderWalker.ImageFiles(start, followLinks, visited, AllowlistFormats);
            paths.AddRange(files);
            fileLabels.AddRange(Enumerable.Repeat(ci, files.Count));
        }

        List<int>? outLabels;
        string[]? names;
        if (inferred) { outLabels = fileLabels; names = subdirs; }
        else if (noLabels) { outLabels = null; names = null; }
        else
        {
            if (labels!.Count != paths.Count)
                throw new ArgumentException($"Expected the length of labels to match the number of files in the target directory. labels has {labels.Count} entries while " +
                    $"{paths.Count} files were found in '{directory}' ({string.Join(" ", AllowlistFormats)}, folders sorted by path, files sorted within each).", nameof(labels));
            outLabels = labels.ToList();
            names = labels.Distinct().Order().Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        if (verbose)
        {
            if (outLabels is null) DeepSharpLogging.Logger.LogInformation("Found {Count} files.", paths.Count);
            else DeepSharpLogging.Logger.LogInformation("Found {Count} files belonging to {Classes} classes.", paths.Count, names!.Length);
        }
        if (shuffle)
        {
            // Shuffle globally to erase macro-structure (Keras): the same permutation for paths and labels.
            NumpyRandomState.Shuffle((uint)seed, paths);
            if (outLabels is not null) NumpyRandomState.Shuffle((uint)seed, outLabels);
        }
        return new Listing(paths, outLabels, names);
    }

    /// <summary>Keras' check_validation_split_arg (validationSplit 0 counts as not set, as Python's falsy 0).</summary>
    public static void CheckValidationSplit(double? validationSplit, string? subset, bool shuffle, int? seed)
    {
        bool split = validationSplit is { } v && v != 0;
        if (split && !(validationSplit > 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), $"validationSplit must be between 0 and 1, received: {validationSplit}. E.g. 0.2 keeps the last 20 % of the files for validation.");
        if (split != (subset is not null))
            throw new ArgumentException(split
                ? $"validationSplit {validationSplit} was given without a subset: pass subset: Subset.Training or Subset.Validation (or call ImageDataset.FromDirectorySplit for both). If subset is set, validationSplit must be set, and inversely."
                : $"subset {subset} was given without a validationSplit: pass e.g. validationSplit: 0.2. If subset is set, validationSplit must be set, and inversely.", split ? "subset" : nameof(validationSplit));
        if (split && shuffle && seed is null)
            throw new ArgumentException("If using validationSplit and shuffling the data, you must provide a seed (e.g. seed: 1337), to make sure that there is no overlap between the training and validation subset.", nameof(seed));
    }

    /// <summary>Keras' get_training_or_validation_split: the first n - int(split * n) files train, the rest validate.</summary>
    public static (List<string> Paths, List<int>? Labels) Split(List<string> paths, List<int>? labels, double? validationSplit, Subset? subset)
    {
        if (validationSplit is not { } v || v == 0 || subset is null) return (paths, labels);
        int numVal = (int)(v * paths.Count);
        int numTrain = paths.Count - numVal;
        if (subset == Subset.Training)
        {
            DeepSharpLogging.Logger.LogInformation("Using {Count} files for training.", numTrain);
            return (paths[..numTrain], labels?[..numTrain]);
        }
        DeepSharpLogging.Logger.LogInformation("Using {Count} files for validation.", numVal);
        return (paths[numTrain..], labels?[numTrain..]);
    }
}
