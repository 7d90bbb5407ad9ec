using DeepSharp.Applications;
using System.CommandLine;
using DeepSharp.Optimizers;
using DeepSharp.Vision;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// `deepsharp train --data DIR`: the chapter's cats-vs-dogs training on any folder tree of that layout
/// (DIR/train, DIR/validation, optional DIR/test, one sub-folder per class), or on one folder of class
/// sub-folders split by --validation-split. Prints Keras-style progress and, last, "val loss: L - val accuracy: A".
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "dataset folder: train/ and validation/ (and test/), or class sub-folders with --validation-split", Required = true };
        var split = new Option<float>("--validation-split") { Description = "fraction of each class held out when DIR has no train/ folder", DefaultValueFactory = _ => 0f };
        var size = new Option<int?>("--target-size") { Description = "images are resized to N×N (default 150; with --base, the base's own size: resnet18 224, vgg16 150, a file's input size)" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 20 };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 30 };
        var steps = new Option<int?>("--steps-per-epoch") { Description = "batches per epoch (default: one pass over the training files)" };
        var augment = new Option<bool>("--augment") { Description = "the chapter's augmentation (rotation 40, shifts 0.2, shear 0.2, zoom 0.2, flips) and Dropout(0.5)" };
        var skipBad = new Option<bool>("--skip-bad-files") { Description = "skip and count unreadable images instead of stopping" };
        var followLinks = new Option<bool>("--follow-links") { Description = "enter linked sub-folders inside class folders (each real folder once)" };
        var output = new Option<string?>("--output", "-o") { Description = "folder for model.keras, history.png and class_names.txt (default: a new runs/DATE-TIME folder here)" };
        var optimizer = new Option<string>("--optimizer") { Description = $"rmsprop (the book's), or any name Compile takes: {string.Join(", ", Optimizer.KnownNames)}", DefaultValueFactory = _ => "rmsprop" };
        optimizer.AcceptOnlyFromAmong([.. Optimizer.KnownNames]);   // Compile's own name table: no second list
        var learningRate = new Option<double?>("--learning-rate") { Description = "the optimizer's learning rate (default: the book's: 1e-4 from scratch, 2e-5 for the classifier on a --base)" };
        var fineTuneRate = new Option<double?>("--fine-tune-learning-rate") { Description = "with --fine-tune-from: the learning rate of fine-tuning (default: the book's 1e-5)" };
        var seed = new Option<int?>("--seed") { Description = "seed for weights, shuffling and augmentation" };
        var maxPixels = new Option<long>("--max-image-pixels") { Description = "largest image decoded (width × height); larger ones are refused as decompression bombs", DefaultValueFactory = _ => ImageIO.DefaultMaxImagePixels };
        var baseNet = new Option<string?>("--base") { Description = $"a pretrained convolutional base (chapter 5.3): {BaseNetworks.Choices}; trains a classifier on it, frozen" };
        var fineTuneFrom = new Option<string?>("--fine-tune-from") { Description = "with --base: then unfreeze the base from this layer on (vgg16: block5_conv1, resnet18: Convolution381) and fine-tune" };
        var fineTuneEpochs = new Option<int>("--fine-tune-epochs") { Description = "with --fine-tune-from: epochs of fine-tuning", DefaultValueFactory = _ => 10 };
        var cmd = new Command("train", "Train the chapter's small convnet, or a classifier on a pretrained base (--base), on a folder of images.")
            { data, split, size, batch, epochs, steps, augment, skipBad, output, seed, maxPixels, followLinks, baseNet, fineTuneFrom, fineTuneEpochs,
              optimizer, learningRate, fineTuneRate };
        cmd.SetAction(r =>
        {
            UsageException.RequireRange("--max-image-pixels", r.GetValue(maxPixels), 1, long.MaxValue);
            ImageIO.MaxImagePixels = r.GetValue(maxPixels);
            return Run(r.GetValue(data)!, r.GetValue(split), r.GetValue(size), r.GetValue(batch), r.GetValue(epochs),
                r.GetValue(steps), r.GetValue(augment), r.GetValue(skipBad), r.GetValue(output), r.GetValue(seed), r.GetValue(followLinks),
                r.GetValue(baseNet), r.GetValue(fineTuneFrom), r.GetValue(fineTuneEpochs),
                new OptimizerChoice(r.GetValue(optimizer)!, r.GetValue(learningRate), r.GetValue(fineTuneRate) ?? 1e-5));
        });
        return cmd;
    }

    private const string ModelFile = "model.keras", HistoryFile = "history.png", ClassNamesFile = "class_names.txt";

    /// <summary>Larger target sizes need more memory per batch than a CPU machine has (4096² × 3 floats = 200 MB per image).</summary>
    private const int MaxTargetSize = 4096;

    private static int Run(string dir, float split, int? sizeOption, int batchSize, int epochs, int? steps, bool augment,
        bool skipBad, string? output, int? seed, bool followLinks, string? baseSpec, string? fineTuneFrom, int fineTuneEpochs, OptimizerChoice optimizer)
    {
        // The saved model's layers are named as in a fresh Keras session (conv2d, conv2d_1, ..., sequential), whatever
        // was built before in this process; helper models below get scopes of their own.
        using var names = Layers.Layer.NameScope();
        // Everything that can be checked is checked before any image is read or any epoch runs.
        UsageException.RequireRange("--epochs", epochs, 1, int.MaxValue);
        UsageException.RequireRange("--batch-size", batchSize, 1, int.MaxValue);
        if (sizeOption is { } so) UsageException.RequireRange("--target-size", so, 1, MaxTargetSize, "The chapter uses 150.");
        if (steps is { } st) UsageException.RequireRange("--steps-per-epoch", st, 1, int.MaxValue);
        if (!(split >= 0 && split < 1))
            throw new UsageException("--validation-split", $"must be at least 0 and below 1, got {split}. The chapter's split is 0.2.");
        if (File.Exists(dir)) throw new UsageException("--data", $"'{dir}' is a file; give the dataset folder.");
        if (fineTuneFrom is not null && baseSpec is null)
            throw new UsageException("--fine-tune-from", "needs --base (a pretrained base to unfreeze), e.g. --base resnet18 --fine-tune-from Convolution381.");
        if (baseSpec is not null) UsageException.RequireRange("--fine-tune-epochs", fineTuneEpochs, 1, int.MaxValue);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--data: folder '{dir}' does not exist.");
        bool chapterLayout = Directory.Exists(Path.Combine(dir, "train"));
        if (!chapterLayout && split <= 0)
            throw new UsageException("--data", $"'{dir}' has no train/ folder. Either give a folder with train/ and validation/ sub-folders, or pass --validation-split 0.2 to split its class folders.");
        optimizer.Check(baseSpec is not null);
        // A trained model is never thrown away: without --output it goes to a new runs/DATE-TIME folder, named first and last.
        output ??= RunFolder.NewName();
        // Under mpirun/srun only rank 0 writes (the output folder need not exist on the other machines).
        bool writes = Worlds.World.IsRoot;
        if (writes) Console.WriteLine($"Output: {output} (model.keras, history.png, class_names.txt)");
        Console.WriteLine($"Optimizer: {optimizer.Describe(baseSpec is not null, fineTuneFrom is not null)}");
        if (writes) OutputPath.CheckFolder(output, "--output", [ModelFile, HistoryFile, ClassNamesFile, RunManifest.FileName], ("--data", dir));
        if (seed is { } s) Rng.SetSeed(s);
        // A pretrained base is loaded before any image is read, and sets the image size and channels.
        // A model on it starts with a Rescaling layer and its preprocessing, so its generators feed raw 0–255 pixels.
        BaseNetwork? network = null;
        if (baseSpec is not null)
        {
            network = BaseNetworks.Resolve(baseSpec, sizeOption);
            if (fineTuneFrom is not null) network.CheckLayer("--fine-tune-from", fineTuneFrom);
            Console.WriteLine($"Base: {network.Describe()}.");
        }
        var (height, width) = network?.Size ?? (sizeOption ?? 150, sizeOption ?? 150);
        var colorMode = network?.ColorMode ?? ColorMode.Rgb;
        float rescale = network is null ? 1f / 255 : 1f;
        if (network is null)
        {
            try { using (Layers.Layer.NameScope()) _ = ChapterModels.SmallConvnet(height, 2, dropout: augment); }   // does the model fit this image size?
            catch (ArgumentException e) { throw new UsageException("--target-size", $"{height} does not fit the chapter's convnet ({e.Message})"); }
        }
        // One batch of images must fit one array (checked in 64-bit arithmetic before any image is read).
        FlagLimits.RequireProduct("--batch-size, --target-size", $"a batch of {batchSize} images of {height}×{width}×{(colorMode == ColorMode.Grayscale ? 1 : 3)}",
            FlagLimits.MaxValues, batchSize, height, width, colorMode == ColorMode.Grayscale ? 1 : 3);
        var trainAug = augment
            ? new ImageDataGenerator(rescale: rescale, rotationRange: 40, widthShiftRange: 0.2, heightShiftRange: 0.2,
                shearRange: 0.2, zoomRange: 0.2, horizontalFlip: true, fillMode: FillMode.Nearest, validationSplit: chapterLayout ? 0 : split, seed: seed)
            : new ImageDataGenerator(rescale: rescale, validationSplit: chapterLayout ? 0 : split, seed: seed);
        var plain = new ImageDataGenerator(rescale: rescale, validationSplit: chapterLayout ? 0 : split, seed: seed);

        // Class mode is decided after counting the classes: binary for two, categorical for more.
        DirectoryIterator Flow(ImageDataGenerator g, string path, Subset? subset, bool shuffle, ClassMode mode) =>
            g.FlowFromDirectory(path, (height, width), colorMode: colorMode, classMode: mode, batchSize: batchSize, shuffle: shuffle,
                seed: seed, subset: subset, skipBadFiles: skipBad, followLinks: followLinks);
        string trainDir = chapterLayout ? Path.Combine(dir, "train") : dir;
        using var probe = Flow(plain, trainDir, chapterLayout ? null : Subset.Training, false, ClassMode.Sparse);
        int classes = probe.ClassIndices.Count;
        var mode = classes == 2 ? ClassMode.Binary : ClassMode.Categorical;
        using var train = Flow(trainAug, trainDir, chapterLayout ? null : Subset.Training, true, mode);
        using var validation = chapterLayout
            ? Flow(plain, Path.Combine(dir, "validation"), null, false, mode)
            : Flow(plain, dir, Subset.Validation, false, mode);
        CheckSameClasses(train, validation, "validation");

        Console.WriteLine($"Found {train.SampleCount} training and {validation.SampleCount} validation images in {classes} classes ({string.Join(", ", train.ClassIndices.Keys)}).");
        Models.Model model;
        DeepSharp.Training.History history;
        if (network is not null)
            (model, history) = TransferTraining.Run(network, fineTuneFrom, fineTuneEpochs, classes, train, validation, steps, epochs, augment, optimizer);
        else
        {
            model = ChapterModels.SmallConvnet(height, classes, dropout: augment);
            model.Summary();
            model.Compile(optimizer: optimizer.Create(fromScratch: true), loss: classes == 2 ? "binary_crossentropy" : "categorical_crossentropy", metrics: ["accuracy"]);
            history = model.Fit(train, stepsPerEpoch: steps, epochs: epochs, validationData: validation, validationSteps: validation.StepsPerEpoch,
                cancellationToken: Interruption.Token);
        }
        if (train.BadFileCount + validation.BadFileCount > 0)
            Console.WriteLine($"Skipped {train.BadFileCount + validation.BadFileCount} unreadable image files.");

        if (writes && output is not null)
        {
            // One unit: each file is written atomically, and the manifest listing their hashes comes last (RunManifest).
            string[] files = [ModelFile, HistoryFile, ClassNamesFile];
            RunManifest.Begin(output, files);
            model.Save(Path.Combine(output, ModelFile));
            RunManifest.Step();
            history.Plot(Path.Combine(output, HistoryFile));
            RunManifest.Step();
            // The class names in index order, read by `deepsharp predict` and `deepsharp visualize gradcam --class NAME`.
            PredictCommand.WriteAtomically(Path.Combine(output, ClassNamesFile),
                string.Join("\n", train.ClassIndices.OrderBy(kv => kv.Value).Select(kv => kv.Key)) + "\n");
            RunManifest.Step();
            RunManifest.Complete(output, files);
            Console.WriteLine($"Saved {Path.Combine(output, ModelFile)}, {Path.Combine(output, HistoryFile)} and {Path.Combine(output, ClassNamesFile)}.");
        }
        string testDir = Path.Combine(dir, "test");
        if (chapterLayout && Directory.Exists(testDir))
        {
            using var test = Flow(plain, testDir, null, false, mode);
            CheckSameClasses(train, test, "test");
            var t = model.Evaluate(test, verbose: 0, cancellationToken: Interruption.Token);
            Console.WriteLine($"test loss: {t.Loss:F4} - test accuracy: {t["accuracy"]:F4}");
        }
        if (history.Contains("val_loss") && history.Contains("val_accuracy"))
            Console.WriteLine($"val loss: {history["val_loss"][^1]:F4} - val accuracy: {history["val_accuracy"][^1]:F4}");
        if (writes) Console.WriteLine($"Output: {output}");
        return 0;
    }

    private static void CheckSameClasses(DirectoryIterator train, DirectoryIterator other, string what)
    {
        var a = train.ClassIndices.Keys.ToArray();
        var b = other.ClassIndices.Keys.ToArray();
        if (!a.SequenceEqual(b))
            throw new ArgumentException($"The {what} folder has classes [{string.Join(", ", b)}] but the training folder has [{string.Join(", ", a)}]. Both need the same class sub-folders.");
    }
}
