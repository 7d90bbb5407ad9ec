using DeepSharp.Models;

namespace DeepSharp;

public static partial class Utils
{
    /// <summary>
    /// R keras' <c>freeze_weights</c>: without <paramref name="from"/>/<paramref name="to"/>, freezes the whole model (every layer
    /// becomes non-trainable). With them, the layers from <paramref name="from"/> to <paramref name="to"/> (inclusive; by name,
    /// zero-based index or layer; a missing end means the first or last layer) are frozen and all other layers become trainable.
    /// </summary>
    /// <remarks>
    /// Takes effect at the next training step, with no recompile: frozen layers compute no weight gradients (and allocate no
    /// gradient buffers), the optimizer skips them, and a frozen BatchNormalization runs in inference mode, never updating
    /// its moving statistics. <c>model.Summary()</c> shows the trainable and non-trainable counts.
    /// </remarks>
    /// <example><code>
    /// using static DeepSharp.Utils;
    /// FreezeWeights(convBase);                       // feature extraction with a frozen base
    /// FreezeWeights(convBase, to: "block4_pool");    // fine-tuning: block5 stays trainable
    /// </code></example>
    public static void FreezeWeights(Model model, LayerSelector? from = null, LayerSelector? to = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (from is null && to is null) { model.Trainable = false; return; }
        model.Trainable = true;
        ApplyTrainable(model, from, to, trainable: false);
    }

    /// <summary>
    /// R keras' <c>unfreeze_weights</c>: without <paramref name="from"/>/<paramref name="to"/>, makes every layer trainable. With
    /// them, the layers from <paramref name="from"/> to <paramref name="to"/> (inclusive) become trainable and all other layers
    /// frozen — so <c>UnfreezeWeights(convBase, from: "block5_conv1")</c> is the chapter's fine-tuning setup.
    /// </summary>
    /// <example><code>
    /// UnfreezeWeights(convBase, from: "block5_conv1");
    /// model.Compile(optimizer: new RMSprop(learningRate: 1e-5), loss: "binary_crossentropy", metrics: ["accuracy"]);
    /// </code></example>
    public static void UnfreezeWeights(Model model, LayerSelector? from = null, LayerSelector? to = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Trainable = true;
        if (from is not null || to is not null) ApplyTrainable(model, from, to, trainable: true);
    }

    private static void ApplyTrainable(Model model, LayerSelector? from, LayerSelector? to, bool trainable)
    {
        var layers = model.Layers;
        if (layers.Count == 0) throw new InvalidOperationException($"Model '{model.Name}' has no layers (or is not built yet) to freeze or unfreeze.");
        int first = from?.Resolve(model, nameof(from)) ?? 0;
        int last = to?.Resolve(model, nameof(to)) ?? layers.Count - 1;
        if (first > last)
            throw new ArgumentException($"from ('{layers[first].Name}', index {first}) comes after to ('{layers[last].Name}', index {last}) in model '{model.Name}'; " +
                "swap them.", nameof(from));
        for (int i = 0; i < layers.Count; i++)
            layers[i].Trainable = i >= first && i <= last ? trainable : !trainable;
    }
}
