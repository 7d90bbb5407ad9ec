using DeepSharp.Layers;
using DeepSharp.Training;

namespace DeepSharp.Models;

/// <summary>A model's symbolic input and outputs, and models with several outputs (the activation model of chapter 5.4).</summary>
public partial class Model
{
    private Layers.Input? _input;
    private SymbolicTensor[] _outputSymbols = [];

    /// <summary>
    /// The model's own input (Keras: model.input): pass it with layers' <see cref="Layer.Output"/>s to build a model
    /// that shares this model's layers. For a model nested in another, it is still the inner model's input.
    /// </summary>
    /// <example><code>var features = new Model(model.Input, model.GetLayer("flatten").Output);</code></example>
    public override SymbolicTensor Input => _input ?? NotBuilt<SymbolicTensor>();

    /// <summary>The model's own input, as a list of one.</summary>
    public override IReadOnlyList<SymbolicTensor> Inputs => [Input];

    /// <summary>The model's own output (Keras: model.output); a model with several outputs throws (use <see cref="Outputs"/>).</summary>
    public override SymbolicTensor Output => _outputSymbols.Length == 1 ? _outputSymbols[0]
        : _outputSymbols.Length == 0 ? NotBuilt<SymbolicTensor>()
        : throw new InvalidOperationException($"Model '{Name}' has {_outputSymbols.Length} outputs; use Outputs[i].");

    /// <summary>The model's outputs, in the order they were given.</summary>
    public IReadOnlyList<SymbolicTensor> Outputs => _outputSymbols.Length > 0 ? _outputSymbols : NotBuilt<SymbolicTensor[]>();

    private T NotBuilt<T>() => throw new InvalidOperationException(
        $"Model '{Name}' is not built yet, so it has no symbolic input or output. Give its first layer an inputShape, or call Predict once.");

    /// <summary>
    /// The outputs for every sample, one array per output (Keras' predict on a multi-output model), computed in
    /// batches in inference mode. One sample without the batch axis (an (h, w, c) image) is a batch of one.
    /// </summary>
    /// <example><code>
    /// var activationModel = new Model(model.Input, outputs: model.Layers.Take(8).Select(l => l.Output).ToList());
    /// Tensor[] activations = activationModel.PredictOutputs(image);   // activations[0]: (1, 148, 148, 32)
    /// </code></example>
    public Tensor[] PredictOutputs(Tensor x, int batchSize = 32)
    {
        x = AsBatch(x);
        CheckInput(x);
        var batches = new ArrayBatches(x, null, 0, x.Dim(0), batchSize, false, _shuffleRandom);
        var results = _graph.OutputNodes.Select(o => new Tensor([x.Dim(0), .. Nodes[o].Shape])).ToArray();
        int row = 0;
        for (int s = 0; s < batches.StepsPerEpoch; s++)
        {
            var xb = batches.Next().X;
            RunForward(xb, training: false);
            for (int k = 0; k < _graph.OutputNodes.Count; k++)
            {
                var v = _graph.ValueAt(_graph.OutputNodes[k])!;
                v.Span.CopyTo(results[k].Data.AsSpan(row * (v.Size / v.Dim(0))));
            }
            row += xb.Dim(0);
        }
        return results;
    }

    /// <summary>
    /// The outputs of <paramref name="layers"/> (layers of nested models included, e.g. a VGG16 base's convolutions)
    /// for every sample, one array per layer, computed in batches in inference mode: chapter 5.4.1's activations
    /// without building an activation model. One sample without the batch axis is a batch of one.
    /// </summary>
    /// <example><code>
    /// var convs = model.FlattenLayers().OfType&lt;Conv2D&gt;().ToList();
    /// Tensor[] activations = model.PredictOutputs(image, convs);   // activations[0]: (1, 148, 148, 32)
    /// </code></example>
    public Tensor[] PredictOutputs(Tensor x, IReadOnlyList<Layer> layers, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(layers);
        x = AsInputBatch(x);
        var routes = layers.Select(Route).ToArray();   // unknown layers fail before any work
        var batches = new ArrayBatches(x, null, 0, x.Dim(0), batchSize, false, _shuffleRandom);
        var results = new Tensor[layers.Count];
        int row = 0;
        for (int s = 0; s < batches.StepsPerEpoch; s++)
        {
            var xb = batches.Next().X;
            RunForward(xb, training: false);
            for (int k = 0; k < routes.Length; k++)
            {
                var (graph, node) = _graph.Locate(routes[k]);
                var v = graph.ValueAt(node)!;
                results[k] ??= new Tensor([x.Dim(0), .. v.Shape[1..]]);
                v.Span.CopyTo(results[k].Span[(row * (v.Size / v.Dim(0)))..]);
            }
            row += xb.Dim(0);
        }
        return results;
    }

    /// <summary>
    /// The model's one rule for inputs, which every call that takes images applies (Predict, PredictOutputs, Gradient,
    /// the visualizations): an input of exactly the per-sample input shape (one (h, w, c) image) is returned as a batch
    /// of one; a batch of that shape is returned as it is; anything else throws a message naming the expected and the
    /// actual shapes, and how to fix it.
    /// </summary>
    /// <example><code>
    /// var batch = model.AsInputBatch(image);   // (150, 150, 3) becomes (1, 150, 150, 3)
    /// </code></example>
    public Tensor AsInputBatch(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x = AsBatch(x);
        CheckInput(x);
        return x;
    }

    /// <summary>Throws for models with several outputs where only one is supported (training, nesting, saving).</summary>
    internal void RequireSingleOutput(string what)
    {
        if (_graph.OutputNodes.Count > 1)
            throw new InvalidOperationException(
                $"Model '{Name}' has {_graph.OutputNodes.Count} outputs ({string.Join(", ", _graph.OutputNodes.Select(o => Nodes[o].Layer!.Name))}) and cannot {what}: " +
                "only single-output models can. Use PredictOutputs for its outputs, or build a model with one output.");
    }
}
