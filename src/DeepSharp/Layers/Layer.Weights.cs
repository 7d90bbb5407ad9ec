namespace DeepSharp.Layers;

public abstract partial class Layer
{
    /// <summary>
    /// The weights Keras lists for this layer, in Keras' order (its <c>layer.weights</c>): for most layers all of
    /// <see cref="Parameters"/>; a BatchNormalization without scale/center has no gamma/beta; a model lists its layers' weights.
    /// This is the order of <see cref="GetWeights"/>, <see cref="SetWeights"/> and of Keras' weight files.
    /// </summary>
    internal virtual IReadOnlyList<Parameter> KerasWeights => Parameters;

    /// <summary>
    /// Copies of the layer's weights as Keras' <c>get_weights()</c> returns them: a list of arrays in Keras' order and
    /// layout (Conv2D: kernel (kh, kw, in, out), bias; Dense: kernel (in, units), bias; BatchNormalization: gamma, beta,
    /// moving_mean, moving_variance). On a model, every layer's weights in <c>model.Layers</c> order.
    /// </summary>
    /// <example><code>
    /// var w = model.GetLayer("block1_conv1").GetWeights();   // [kernel (3, 3, 3, 64), bias (64)]
    /// </code></example>
    public IReadOnlyList<Tensor> GetWeights() => KerasWeights.Select(p => p.Value.Clone()).ToList();

    /// <summary>
    /// Sets the layer's weights from a list in the order and shapes of <see cref="GetWeights"/> (Keras' <c>set_weights</c>).
    /// Nothing is changed unless every array fits: the count and each shape are checked first.
    /// </summary>
    /// <exception cref="ArgumentException">The count or a shape does not match; the message names the layer and weight.</exception>
    /// <example><code>
    /// dense.SetWeights([kernel, bias]);
    /// otherModel.SetWeights(model.GetWeights());   // copy every weight between two models of the same architecture
    /// </code></example>
    public void SetWeights(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var targets = KerasWeights;
        if (!IsBuilt && this is not Models.Model)
            throw new InvalidOperationException($"Layer '{Name}' ({ClassName}) has no weights yet: it is built when first called on an input. " +
                "Call it on an input (or give the model an inputShape) before SetWeights.");
        if (weights.Count != targets.Count)
            throw new ArgumentException($"SetWeights on layer '{Name}' ({ClassName}) got {weights.Count} arrays but the layer has {targets.Count} weights" +
                (targets.Count == 0 ? "." : $": {string.Join(", ", targets.Select(p => $"{p.Path} {Tensor.FormatShape(p.Value.Shape)}"))}."), nameof(weights));
        for (int i = 0; i < targets.Count; i++)
        {
            var w = weights[i] ?? throw new ArgumentException($"SetWeights on layer '{Name}': array {i} is null.", nameof(weights));
            if (!w.Shape.SequenceEqual(targets[i].Value.Shape))
                throw new ArgumentException($"SetWeights on layer '{Name}' ({ClassName}): array {i} is for weight '{targets[i].Path}' of shape " +
                    $"{Tensor.FormatShape(targets[i].Value.Shape)} but has shape {Tensor.FormatShape(w.Shape)}.", nameof(weights));
        }
        for (int i = 0; i < targets.Count; i++) weights[i].Span.CopyTo(targets[i].Value.Span);
    }
}
