using DeepSharp.Gradients;
using DeepSharp.Layers;

namespace DeepSharp.Models;

/// <summary>
/// The public gradient API (DeepSharp's GradientTape / k_gradients) and the two calls of a custom training loop.
/// </summary>
public partial class Model
{
    private Tensor? _objectiveSeed;
    private List<WeightGradient> _trainableGradients = [];

    /// <summary>
    /// The gradient of a scalar <paramref name="objective"/> (of a layer's output, or of the model's output) with
    /// respect to the model's input (<paramref name="withRespectTo"/> null) or to any layer's output, layers inside a
    /// nested model (a convolutional base) included. Runs in inference mode unless <paramref name="training"/>;
    /// leaves the weights' gradients and the optimizer's state alone. One sample without the batch axis (an (h, w, c)
    /// image) is a batch of one: the gradient and value are (1, ...).
    /// </summary>
    /// <example><code>
    /// // Filter visualization (5.4.2): d mean(filter 0 of block3_conv1) / d image
    /// var g = model.Gradient(image, Objective.ChannelMean(model.GetLayer("block3_conv1"), 0)).Gradient;
    /// // Grad-CAM (5.4.3): d score(class 386) / d activations of the last convolutional layer
    /// var r = model.Gradient(image, Objective.ClassScore(386), withRespectTo: model.GetLayer("block5_conv3"));
    /// </code></example>
    public GradientResult Gradient(Tensor x, Objective objective, Layer? withRespectTo = null, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(objective);
        x = AsBatch(x);
        CheckInput(x);
        RequireSingleOutput("take gradients (build a model with the one output the objective reads)");
        int[] objRoute = objective.ReadsLogits ? _graph.OutputLeafRoute() : objective.Layer is null || ReferenceEquals(objective.Layer, this) ? [_graph.Count - 1] : Route(objective.Layer);
        int[] wrtRoute = withRespectTo is null ? [] : Route(withRespectTo);
        RunForward(x, training, objRoute[0]);   // the layers after the objective's are not needed
        var (owner, node) = _graph.Locate(objRoute);
        var layer = owner.Nodes[node].Layer!;
        var target = owner.ValueAt(node)!;
        bool logits = false;
        if (objective.ReadsLogits && layer.OutputActivation is ActivationKind.Softmax or ActivationKind.Sigmoid && layer.Logits is { } z)
        {
            target = z;
            logits = true;
        }
        var seed = Tensor.Ensure(ref _objectiveSeed, target.Shape);
        var values = new double[x.Dim(0)];
        objective.Evaluate(target, seed, values, layer.Name, layer.OutputActivation);
        var gradient = _graph.BackpropRoute(objRoute, wrtRoute, seed, logits)
            ?? throw new ArgumentException($"The objective (output of layer '{layer.Name}') does not depend on the output of layer '{withRespectTo!.Name}': " +
                "take the gradient with respect to a layer that comes before it, or the input.");
        Tensor value = withRespectTo is null ? x : _graph.Locate(wrtRoute) is var (g, n) ? g.ValueAt(n)! : x;
        return new GradientResult(gradient.Clone(), value.Clone(), values);
    }

    /// <summary>
    /// The loss on one batch and its gradient for every trainable weight, with nothing applied (Keras: the GradientTape
    /// half of train_step). <c>Fit</c>'s step is this call followed by <see cref="Optimizers.Optimizer.ApplyGradients"/>.
    /// With <paramref name="training"/> false the forward pass runs in inference mode, as Keras' GradientTape around
    /// <c>model(x, training=False)</c>: BatchNormalization normalizes with its moving statistics (and leaves them
    /// unchanged), Dropout passes everything through, and the gradients are those of that deterministic loss.
    /// </summary>
    /// <example><code>
    /// var (loss, gradients) = model.ComputeGradients(xBatch, yBatch);
    /// model.Optimizer!.ApplyGradients(gradients);
    /// var inference = model.ComputeGradients(xBatch, yBatch, training: false);   // BatchNormalization and Dropout in inference mode
    /// </code></example>
    public LossAndGradients ComputeGradients(Tensor x, Tensor y, bool training = true) => ComputeGradients(x, y, 1f, training);

    /// <summary>
    /// ComputeGradients of <paramref name="lossScale"/> × the loss (the seed gradient is scaled; the returned loss is
    /// not): Fit in a world of several ranks weights each rank's share of a batch by its size.
    /// </summary>
    /// <paramref name="inFlight"/> (a step in a world of several ranks) starts each layer's all-reduce as soon as its
    /// gradients are final.
    internal LossAndGradients ComputeGradients(Tensor x, Tensor y, float lossScale, bool training = true, Worlds.GradientBuckets? inFlight = null)
    {
        if (Loss is null)
            throw new InvalidOperationException($"Model '{Name}' has no loss: call model.Compile(optimizer: \"rmsprop\", loss: \"categorical_crossentropy\") before ComputeGradients.");
        var output = RunForward(x, training);
        CheckTargets(output, y);
        var grad = Tensor.Ensure(ref _lossGradient, output.Shape);
        var logits = LossLogits();
        double loss = Loss.Compute(output, logits, y, grad.Span);
        if (lossScale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(grad.Span, lossScale, grad.Span);
        _graph.Backward(grad, _graph.Count - 1, needInputGradient: false, forceNode: -1, seedIsLogitGradient: logits is not null, inFlight: inFlight);
        loss += RegularizationPenalty();
        if (inFlight is null) AddRegularizationGradients(lossScale);   // several ranks: added after the all-reduce
        return new LossAndGradients(loss, TrainableGradients());
    }

    /// <summary>The (weight, weight.Grad) list of the trainable weights, rebuilt only when the trainable set changes.</summary>
    private List<WeightGradient> TrainableGradients()
    {
        int k = 0;
        bool same = true;
        foreach (var p in _parameterCache)
        {
            if (!p.Trainable) continue;
            if (k >= _trainableGradients.Count || !ReferenceEquals(_trainableGradients[k].Weight, p)) same = false;
            k++;
        }
        if (!same || k != _trainableGradients.Count)
            _trainableGradients = _parameterCache.Where(p => p.Trainable).Select(p => new WeightGradient(p, p.Grad)).ToList();
        return _trainableGradients;
    }

    // ---- routes to layers, nested models included ----

    /// <summary>A layer's output (layers of nested models too) from the last forward pass.</summary>
    internal Tensor LayerValue(Layer layer)
    {
        var (g, n) = _graph.Locate(Route(layer));
        return g.ValueAt(n) ?? throw new InvalidOperationException($"Model '{Name}' has not run yet: call Predict first.");
    }

    /// <summary>
    /// Every layer in the order it runs, with the layers of a nested model (a convolutional base) in place of the
    /// nested model (Keras' <c>_flatten_layers</c> without the models): what the visualizations offer to draw.
    /// </summary>
    /// <example><code>
    /// var convolutions = model.FlattenLayers().OfType&lt;Conv2D&gt;().ToList();   // a VGG16 base's too
    /// </code></example>
    public IReadOnlyList<Layer> FlattenLayers() => LayersDeep().ToList();

    /// <summary>
    /// The layer called <paramref name="name"/>; with <paramref name="nested"/>, searched inside nested models too
    /// (a layer of a convolutional base, or the base itself). An unknown name throws, listing every layer.
    /// </summary>
    /// <example><code>var conv = model.GetLayer("block5_conv3", nested: true);   // inside the VGG16 base</code></example>
    public Layer GetLayer(string name, bool nested) => nested ? FindLayerDeep(name) : GetLayer(name);

    /// <summary>Every layer in the order it runs, the layers of nested models in place of the nested model.</summary>
    internal IEnumerable<Layer> LayersDeep() =>
        Nodes.Skip(1).SelectMany(n => n.Layer is Model m ? m.LayersDeep() : [n.Layer!]);

    /// <summary>The layer called <paramref name="name"/>, searched in nested models too; unknown names list every layer.</summary>
    internal Layer FindLayerDeep(string name) =>
        LayersDeep().Concat(Nodes.Skip(1).Select(n => n.Layer!).OfType<Model>()).FirstOrDefault(l => l.Name == name)
        ?? throw new ArgumentException($"Model '{Name}' has no layer named '{name}'. Its layers are: {string.Join(", ", LayerNamesDeep())}.");

    /// <summary>Node indices from this model down to <paramref name="layer"/> (one per level of nesting).</summary>
    private int[] Route(Layer layer) => _graph.FindRoute(layer)?.ToArray()
        ?? throw new ArgumentException($"Model '{Name}' has no layer '{layer.Name}'. Its layers are: {string.Join(", ", LayerNamesDeep())}.");

    private IEnumerable<string> LayerNamesDeep() => Nodes.Skip(1).SelectMany(n =>
        n.Layer is Model m ? m.LayerNamesDeep().Select(s => $"{m.Name}/{s}").Prepend(m.Name) : [n.Layer!.Name]);
}
