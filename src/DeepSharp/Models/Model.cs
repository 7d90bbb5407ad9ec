using DeepSharp.Layers;

namespace DeepSharp.Models;

/// <summary>
/// A functional model: a graph of layers from one input to one output (residual connections welcome).
/// A model is itself a layer, so a convolutional base can be stacked into a <see cref="Sequential"/>.
/// Training (Compile, Fit, Evaluate, Predict) lives in Model.Training.cs; running the graph (forward, backward,
/// fusions) in <see cref="GraphExecutor"/>.
/// </summary>
/// <example><code>
/// var inputs = new Input(28, 28, 1);
/// var x = new Conv2D(32, (3, 3), activation: "relu").Call(inputs);
/// var shortcut = x;
/// x = new Conv2D(32, (3, 3), padding: "same", activation: "relu").Call(x);
/// x = new Add().Call(x, shortcut);
/// var outputs = new Dense(10, activation: "softmax").Call(new GlobalAveragePooling2D().Call(x));
/// var model = new Model(inputs, outputs);
/// model.Summary();
/// </code></example>
public partial class Model : Layer
{
    private GraphExecutor _graph = GraphExecutor.Empty;
    private List<Parameter> _parameterCache = [];

    /// <summary>Builds a functional model from an <see cref="Layers.Input"/> and the output of the last layer called.</summary>
    public Model(SymbolicTensor inputs, SymbolicTensor outputs, string? name = null) : this(inputs, [outputs], name) { }

    /// <summary>
    /// Builds a model with several outputs (Keras: keras_model(inputs, outputs = list(...))), e.g. the activation model
    /// of chapter 5.4 that returns every layer's output; <see cref="PredictOutputs(Tensor, int)"/> returns one array per output.
    /// The layers are shared with the model they came from (same weights).
    /// </summary>
    /// <example><code>
    /// var activationModel = new Model(model.Input, outputs: [model.GetLayer("conv2d").Output, model.GetLayer("max_pooling2d").Output]);
    /// Tensor[] activations = activationModel.PredictOutputs(image);
    /// </code></example>
    public Model(SymbolicTensor inputs, IReadOnlyList<SymbolicTensor> outputs, string? name = null) : base(name)
    {
        if (inputs is not Layers.Input input)
            throw new ArgumentException($"Model '{Name}': inputs must be an Input (e.g. new Input(28, 28, 1) or model.Input), not the output of layer '{inputs.Producer?.Name}'.");
        if (outputs.Count == 0) throw new ArgumentException($"Model '{Name}': give at least one output.");
        SetGraph(input, outputs);
    }

    /// <summary>For subclasses that build their graph later (Sequential).</summary>
    protected Model(string? name) : base(name) { }

    protected override string KerasName => "functional";

    /// <summary>
    /// The layers (the input excluded) in Keras' <c>model.layers</c> order: for a Sequential the order they were added;
    /// for a functional graph by decreasing depth from the output, as Keras orders them in its config and weight files.
    /// It is also an order in which they can run.
    /// </summary>
    public IReadOnlyList<Layer> Layers => Nodes.Skip(1).Select(n => n.Layer!).ToList();

    /// <summary>The name of the model's input (Keras' InputLayer): the <c>name</c> given to <see cref="Input"/>, "input_layer" by default.</summary>
    public string InputName { get; private set; } = "input_layer";

    /// <summary>The per-sample input shape, e.g. (28, 28, 1); null until known.</summary>
    public int[]? InputShape => Nodes.Count > 0 ? Nodes[0].Shape : null;

    /// <summary>The per-sample output shape, e.g. (10); null until known.</summary>
    public int[]? OutputShapePerSample => Nodes.Count > 0 ? Nodes[^1].Shape : null;

    /// <summary>The graph executor: nodes in running order, forward and backward passes, fusions.</summary>
    internal GraphExecutor Graph => _graph;

    /// <summary>The graph's nodes in running order (node 0 is the input).</summary>
    internal IReadOnlyList<GraphNode> Nodes => _graph.Nodes;

    /// <summary>The graph index of a layer's output.</summary>
    internal int NodeOf(Layer layer) => _graph.IndexOf(layer) is var i and > 0 ? i
        : throw new ArgumentException($"Layer '{layer.Name}' is not part of model '{Name}'.");

    /// <summary>The layer called <paramref name="name"/>.</summary>
    public Layer GetLayer(string name) =>
        Layers.FirstOrDefault(l => l.Name == name)
        ?? throw new ArgumentException($"Model '{Name}' has no layer named '{name}'. Its layers are: {string.Join(", ", Layers.Select(l => l.Name))}.");

    /// <summary>Every weight of every layer (trainable or not), in layer order.</summary>
    public override IReadOnlyList<Parameter> Parameters => _parameterCache;

    /// <summary>Setting it sets every layer's flag (Keras: freezing a whole convolutional base).</summary>
    public override bool Trainable
    {
        get => base.Trainable;
        set
        {
            base.Trainable = value;
            foreach (var n in Nodes) if (n.Layer is not null) n.Layer.Trainable = value;
        }
    }

    /// <summary>Prints Keras' summary table: layers, output shapes and parameter counts.</summary>
    /// <example><code>model.Summary();   // Total params: 93,322</code></example>
    public void Summary(TextWriter? writer = null) => (writer ?? Console.Out).WriteLine(ModelSummary.Render(this));

    /// <summary>The summary table as a string.</summary>
    public string SummaryText() => ModelSummary.Render(this);

    // ---- graph construction ----

    private protected void SetGraph(Layers.Input input, IReadOnlyList<SymbolicTensor> outputs)
    {
        var order = new List<SymbolicTensor>();
        var index = new Dictionary<SymbolicTensor, int>(ReferenceEqualityComparer.Instance);
        var seenLayers = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        order.Add(input);
        index[input] = 0;
        InputName = input.Name;
        foreach (var output in outputs)
            Visit(output, input, order, index, seenLayers, new HashSet<SymbolicTensor>(ReferenceEqualityComparer.Instance));
        order = KerasLayerOrder.Sort(order, outputs);   // Keras' model.layers order: configs and weight files match Keras'
        for (int k = 0; k < order.Count; k++) index[order[k]] = k;
        _input = input;
        _outputSymbols = outputs.ToArray();
        _graph = new GraphExecutor(order.Select(t => new GraphNode(t.Producer, t.Inputs.Select(i => index[i]).ToArray(), t.Shape, t.Training)).ToArray(),
            outputs.Select(o => index[o]).ToArray());
        _parameterCache = Nodes.Skip(1).SelectMany(x => x.Layer!.Parameters).ToList();
    }

    /// <summary>
    /// Appends <paramref name="output"/> and everything it depends on to <paramref name="order"/>, inputs before readers.
    /// Iterative (an explicit stack, not recursion), so a chain of 100,000 layers cannot overflow the thread's stack.
    /// </summary>
    private void Visit(SymbolicTensor output, SymbolicTensor input, List<SymbolicTensor> order,
        Dictionary<SymbolicTensor, int> index, HashSet<Layer> seenLayers, HashSet<SymbolicTensor> onPath)
    {
        var stack = new Stack<(SymbolicTensor Tensor, int Next)>();
        Enter(output);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            if (next < t.Inputs.Length)
            {
                stack.Push((t, next + 1));
                Enter(t.Inputs[next]);
                continue;
            }
            onPath.Remove(t);
            if (!seenLayers.Add(t.Producer!))
                throw new ArgumentException($"Model '{Name}': layer '{t.Producer!.Name}' is used twice. Sharing a layer between two calls is not supported; create a second layer.");
            index[t] = order.Count;
            order.Add(t);
        }

        void Enter(SymbolicTensor t)
        {
            if (index.ContainsKey(t)) return;
            if (t.Producer is null)
                throw new ArgumentException($"Model '{Name}': the output depends on an Input that was not passed to the model. Pass the Input the layers were called on.");
            if (!onPath.Add(t)) throw new ArgumentException($"Model '{Name}': the graph has a cycle at layer '{t.Producer.Name}'.");
            stack.Push((t, 0));
        }
    }

    // ---- as a layer inside another model ----

    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (Nodes.Count == 0) BuildFromInputShape(inputShapes[0]);
        RequireSingleOutput("be used as a layer of another model");
        if (inputShapes.Count != 1 || !inputShapes[0].SequenceEqual(Nodes[0].Shape))
            throw new ArgumentException($"Model '{Name}' expects input (None, {string.Join(", ", Nodes[0].Shape)}) but was called on (None, {string.Join(", ", inputShapes[0])}).");
        return Nodes[^1].Shape;
    }

    /// <summary>Called when the input shape becomes known for a model without one (Sequential).</summary>
    private protected virtual void BuildFromInputShape(int[] inputShape) =>
        throw new InvalidOperationException($"Model '{Name}' has no graph.");

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) => RunForward(inputs[0], training);

    public override void Backward(Tensor outputGradient, bool needInputGradients) => Backprop(outputGradient, new BackwardArgs(needInputGradients));

    internal override void Backprop(Tensor outputGradient, in BackwardArgs args)
    {
        _graph.Backward(outputGradient, _graph.Count - 1, args.NeedInputGradients, forceNode: -1, args.FromLogits, args.WeightGradients && Trainable);
        InputGradients[0] = args.NeedInputGradients ? _graph.GradientAt(0) : null;
    }

    /// <summary>Runs every layer; returns the output (owned by the last layer).</summary>
    internal Tensor RunForward(Tensor x, bool training) => RunForward(x, training, Nodes.Count - 1);

    /// <summary>Checks the input, then runs the layers up to node <paramref name="lastNode"/>; returns its output.</summary>
    internal Tensor RunForward(Tensor x, bool training, int lastNode)
    {
        CheckInput(x);
        return _graph.Forward(x, training, lastNode);
    }

    /// <summary>
    /// The one rule for a single sample, shared by every call that takes images (Predict, PredictOutputs, Gradient, and
    /// DeepSharp.Vision's Grad-CAM, activations and filter patterns): an input of exactly the model's per-sample shape,
    /// e.g. one (h, w, c) image, is a batch of one; results keep the batch axis. Anything else goes to <see cref="CheckInput"/>.
    /// </summary>
    internal Tensor AsBatch(Tensor x)
    {
        if (Nodes.Count == 0) return x;
        var expected = Nodes[0].Shape;
        return x.Rank == expected.Length && x.Shape.SequenceEqual(expected) ? x.Reshape([1, .. expected]) : x;
    }

    /// <summary>Throws a message naming the expected and actual input shapes.</summary>
    internal void CheckInput(Tensor x)
    {
        if (Nodes.Count == 0) BuildFromInputShape(x.ShapeArray[1..]);
        var expected = Nodes[0].Shape;
        if (x.Rank != expected.Length + 1 || !x.Shape[1..].SequenceEqual(expected))
        {
            string hint = Tensor.Product(x.Shape[1..]) == Tensor.Product(expected)
                ? $" The sizes agree: reshape with x.Reshape(-1, {string.Join(", ", expected)})."
                : " Resize the inputs, or build the model with a matching input shape.";
            throw new ArgumentException(
                $"Model '{Name}' expects input of shape (None, {string.Join(", ", expected)}) (first layer '{Nodes[1].Layer!.Name}'), " +
                $"or one sample of shape ({string.Join(", ", expected)}) as a batch of one, but got {Tensor.FormatShape(x.Shape)}.{hint}");
        }
    }
}
