using DeepSharp.Optimizers;
using DeepSharp.Training;
using DeepSharp.Vision;
using static DeepSharp.Utils;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// `deepsharp train --base vgg16|resnet18|FILE.onnx`: the chapter's section 5.3. Phase 1 trains a new classifier on the frozen
/// pretrained base (feature extraction with augmentation when --augment); with --fine-tune-from LAYER, phase 2 unfreezes the
/// base from that layer on and trains on at --fine-tune-learning-rate (the book's RMSprop 1e-5) for --fine-tune-epochs. Both phases go into one history and plot.
/// </summary>
internal static class TransferTraining
{
    public static (Models.Model Model, History History) Run(BaseNetwork network, string? fineTuneFrom, int fineTuneEpochs,
        int classes, Data.IBatchGenerator train, Data.IBatchGenerator validation, int? steps, int epochs, bool augment, OptimizerChoice optimizer)
    {
        var convBase = network.Model;
        var model = network.Classifier(classes, dropout: augment);
        string loss = classes == 2 ? "binary_crossentropy" : "categorical_crossentropy";
        string baseSpec = network.Spec;

        FreezeWeights(convBase);
        model.Summary();
        model.Compile(optimizer: optimizer.Create(fromScratch: false), loss: loss, metrics: ["accuracy"]);
        Console.WriteLine($"Phase 1: training the classifier on the frozen {baseSpec} base ({epochs} epochs).");
        var history = model.Fit(train, stepsPerEpoch: steps, epochs: epochs, validationData: validation, validationSteps: validation.StepsPerEpoch,
            cancellationToken: Interruption.Token);
        if (fineTuneFrom is null || fineTuneEpochs <= 0) return (model, history);

        UnfreezeWeights(convBase, from: fineTuneFrom);
        model.Summary();
        model.Compile(optimizer: optimizer.CreateForFineTuning(), loss: loss, metrics: ["accuracy"]);
        Console.WriteLine($"Phase 2: fine-tuning from {fineTuneFrom} ({fineTuneEpochs} epochs).");
        var second = model.Fit(train, stepsPerEpoch: steps, epochs: epochs + fineTuneEpochs, initialEpoch: epochs,
            validationData: validation, validationSteps: validation.StepsPerEpoch, cancellationToken: Interruption.Token);
        var combined = new History();
        foreach (var h in new[] { history, second })
            for (int i = 0; i < h.Epochs.Count; i++)
                combined.Add(h.Epochs[i], h.Keys.ToDictionary(k => k, k => h[k][i]));
        return (model, combined);
    }
}
