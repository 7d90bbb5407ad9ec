using DeepSharp.Layers;

namespace DeepSharp.Models;

/// <summary>
/// A functional model: a graph of layers from one input to one output (residual connections welcome).
/// A model is itself a layer, so a convolutional base can be stacked into a <see cref="Sequential"/>.
/// Training (Compile, Fit, Evaluate, Predict) lives in Model.Training.cs.
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
    /// <summary>One step of the graph: a layer and the nodes it reads. Node 0 is the input.</summary>
    internal sealed record GraphNode(Layer? Layer, int[] Inputs, int[] Shape, bool? Training = null)
    {
        /// <summary>Reused array of input tensors handed to the layer.</summary>
        public Tensor[] InputValues { get; } = new Tensor[Inputs.Length];
    }

    private GraphNode[] _nodes = [];
    private List<Parameter> _parameterCache = [];
    private Tensor?[] _values = [], _grads = [], _accum = [];
    private bool[] _gradOwned = [], _wantsGrad = [];
    private int[] _consumers = [];

    /// <summary>Builds a functional model from an <see cref="Layers.Input"/> and the output of the last layer called.</summary>
    public Model(SymbolicTensor inputs, SymbolicTensor outputs, string? name = null) : this(inputs, [outputs], name) { }

    /// <summary>
    /// Builds a model with several outputs (Keras: keras_model(inputs, outputs = list(...))), e.g. the activation model
    /// of chapter 5.4 that returns every layer's output; <see cref="PredictOutputs"/> returns one array per output.
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
    public IReadOnlyList<Layer> Layers => _nodes.Skip(1).Select(n => n.Layer!).ToList();

    /// <summary>The name of the model's input (Keras' InputLayer): the <c>name</c> given to <see cref="Input"/>, "input_layer" by default.</summary>
    public string InputName { get; private set; } = "input_layer";

    /// <summary>The per-sample input shape, e.g. (28, 28, 1); null until known.</summary>
    public int[]? InputShape => _nodes.Length > 0 ? _nodes[0].Shape : null;

    /// <summary>The per-sample output shape, e.g. (10); null until known.</summary>
    public int[]? OutputShapePerSample => _nodes.Length > 0 ? _nodes[^1].Shape : null;

    internal IReadOnlyList<GraphNode> Nodes => _nodes;

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
            foreach (var n in _nodes) if (n.Layer is not null) n.Layer.Trainable = value;
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
        _nodes = order.Select(t => new GraphNode(t.Producer, t.Inputs.Select(i => index[i]).ToArray(), t.Shape, t.Training)).ToArray();
        _input = input;
        _outputSymbols = outputs.ToArray();
        _outputNodes = outputs.Select(o => index[o]).ToArray();
        int n = _nodes.Length;
        _values = new Tensor?[n];
        _grads = new Tensor?[n];
        _accum = new Tensor?[n];
        _gradOwned = new bool[n];
        _wantsGrad = new bool[n];
        _consumers = new int[n];
        foreach (var node in _nodes) foreach (int j in node.Inputs) _consumers[j]++;
        _parameterCache = _nodes.Skip(1).SelectMany(x => x.Layer!.Parameters).ToList();
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
        if (_nodes.Length == 0) BuildFromInputShape(inputShapes[0]);
        RequireSingleOutput("be used as a layer of another model");
        if (inputShapes.Count != 1 || !inputShapes[0].SequenceEqual(_nodes[0].Shape))
            throw new ArgumentException($"Model '{Name}' expects input (None, {string.Join(", ", _nodes[0].Shape)}) but was called on (None, {string.Join(", ", inputShapes[0])}).");
        return _nodes[^1].Shape;
    }

    /// <summary>Called when the input shape becomes known for a model without one (Sequential).</summary>
    private protected virtual void BuildFromInputShape(int[] inputShape) =>
        throw new InvalidOperationException($"Model '{Name}' has no graph.");

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) => RunForward(inputs[0], training);

    public override void Backward(Tensor outputGradient, bool needInputGradients) => Backprop(outputGradient, new BackwardArgs(needInputGradients));

    internal override void Backprop(Tensor outputGradient, in BackwardArgs args)
    {
        RunBackward(outputGradient, _nodes.Length - 1, args.NeedInputGradients, forceNode: -1, args.FromLogits, args.WeightGradients && Trainable);
        InputGradients[0] = args.NeedInputGradients ? _grads[0] : null;
    }

    // ---- running the graph ----

    /// <summary>Runs every layer; returns the output (owned by the last layer).</summary>
    internal Tensor RunForward(Tensor x, bool training) => RunForward(x, training, _nodes.Length - 1);

    /// <summary>Runs the layers up to node <paramref name="lastNode"/> (all it depends on come before it); returns its output.</summary>
    internal Tensor RunForward(Tensor x, bool training, int lastNode)
    {
        CheckInput(x);
        _values[0] = x;
        for (int i = 1; i <= lastNode; i++)
        {
            var node = _nodes[i];
            for (int s = 0; s < node.Inputs.Length; s++) node.InputValues[s] = _values[node.Inputs[s]]!;
            _values[i] = node.Layer!.Forward(node.InputValues, node.Training ?? training);
        }
        return _values[lastNode]!;
    }

    /// <summary>The output of node <paramref name="node"/> from the last forward pass.</summary>
    internal Tensor? ValueAt(int node) => _values[node];

    /// <summary>dLoss/d(output of node) from the last backward pass (null where no gradient was needed).</summary>
    internal Tensor? GradientAt(int node) => _grads[node];

    /// <summary>The graph index of a layer's output.</summary>
    internal int NodeOf(Layer layer)
    {
        for (int i = 1; i < _nodes.Length; i++) if (ReferenceEquals(_nodes[i].Layer, layer)) return i;
        throw new ArgumentException($"Layer '{layer.Name}' is not part of model '{Name}'.");
    }

    /// <summary>
    /// Back-propagates <paramref name="seed"/> (dLoss/d(output of <paramref name="fromNode"/>)) through the graph:
    /// writes the weights' gradients (unless <paramref name="weightGradients"/> is false), and gradients at nodes that
    /// need them: those feeding trainable layers, the input when <paramref name="needInputGradient"/>, and
    /// <paramref name="forceNode"/>. <paramref name="seedIsLogitGradient"/>: the seed is dLoss/dLogits of the
    /// fromNode layer's softmax/sigmoid (the fused loss), for that one call.
    /// </summary>
    internal void RunBackward(Tensor seed, int fromNode, bool needInputGradient, int forceNode,
        bool seedIsLogitGradient = false, bool weightGradients = true)
    {
        for (int i = 0; i < _nodes.Length; i++)
        {
            _grads[i] = null;
            _gradOwned[i] = false;
            var layer = _nodes[i].Layer;
            bool wants = i == 0 ? needInputGradient : weightGradients && HasTrainableWeights(layer!);
            foreach (int j in _nodes[i].Inputs) wants |= _wantsGrad[j];
            _wantsGrad[i] = wants || i == forceNode;
        }
        _grads[fromNode] = seed;
        for (int i = fromNode; i >= 1; i--)
        {
            var g = _grads[i];
            if (g is null) continue;
            var node = _nodes[i];
            bool need = false;
            foreach (int j in node.Inputs) need |= _wantsGrad[j];
            if (!need && !(weightGradients && HasTrainableWeights(node.Layer!))) continue;
            if (need && weightGradients && TryBackwardThroughMaxPool(i, g, forceNode))
            {
                _gradientsInFlight?.LayerDone(_nodes[node.Inputs[0]].Layer!);
                continue;
            }
            node.Layer!.Backprop(g, new BackwardArgs(need, weightGradients, FromLogits: seedIsLogitGradient && i == fromNode));
            _gradientsInFlight?.LayerDone(node.Layer);
            if (!need) continue;
            for (int s = 0; s < node.Inputs.Length; s++)
                if (_wantsGrad[node.Inputs[s]]) Contribute(node.Inputs[s], node.Layer.InputGradients[s]);
        }
    }

    /// <summary>
    /// Node i, a max pooling, hands its gradient unscattered to the layer that produced its input when that layer feeds
    /// nothing else, is no model output or chosen node, and needs no input gradient (a first layer): that layer then
    /// writes its weights' gradients from it (<see cref="Conv2D.TryBackwardThroughMaxPool"/>), and the dense gradient
    /// between the two is never written. <c>bench -- ab --switch fuse-pool-backward</c> on the 2-core AVX2 VM (on/off step
    /// time): MNIST training 0.94-0.95, cats-vs-dogs 0.96. <see cref="Backends.Cpu.CpuBackendOptions.PooledKernelGradient"/> turns it off.
    /// </summary>
    private bool TryBackwardThroughMaxPool(int i, Tensor g, int forceNode)
    {
        if (_nodes[i].Layer is not MaxPooling2D pool || _nodes[i].Inputs.Length != 1) return false;
        int j = _nodes[i].Inputs[0];
        if (j == 0 || j == forceNode || _consumers[j] != 1 || Array.IndexOf(_outputNodes, j) >= 0 || _nodes[j].Layer is not Conv2D conv) return false;
        foreach (int k in _nodes[j].Inputs) if (_wantsGrad[k]) return false;
        return Backends.Backend.Current.Fuses(Backends.FusionPattern.ConvThenMaxPool) && conv.TryBackwardThroughMaxPool(pool, g);
    }

    private static bool HasTrainableWeights(Layer layer)
    {
        foreach (var p in layer.Parameters) if (p.Trainable) return true;
        return false;
    }

    /// <summary>Adds one consumer's gradient to a node's; the first is borrowed, a second one is summed into a buffer.</summary>
    private void Contribute(int node, Tensor? g)
    {
        if (g is null) return;
        if (_grads[node] is null) { _grads[node] = g; return; }
        if (!_gradOwned[node])
        {
            var acc = Tensor.Ensure(ref _accum[node], _grads[node]!.Shape);
            _grads[node]!.Span.CopyTo(acc.Span);
            _grads[node] = acc;
            _gradOwned[node] = true;
        }
        System.Numerics.Tensors.TensorPrimitives.Add(_grads[node]!.Span, g.Span, _grads[node]!.Span);
    }

    /// <summary>
    /// The one rule for a single sample, shared by every call that takes images (Predict, PredictOutputs, Gradient, and
    /// DeepSharp.Vision's Grad-CAM, activations and filter patterns): an input of exactly the model's per-sample shape,
    /// e.g. one (h, w, c) image, is a batch of one; results keep the batch axis. Anything else goes to <see cref="CheckInput"/>.
    /// </summary>
    internal Tensor AsBatch(Tensor x)
    {
        if (_nodes.Length == 0) return x;
        var expected = _nodes[0].Shape;
        return x.Rank == expected.Length && x.Shape.SequenceEqual(expected) ? x.Reshape([1, .. expected]) : x;
    }

    /// <summary>Throws a message naming the expected and actual input shapes.</summary>
    internal void CheckInput(Tensor x)
    {
        if (_nodes.Length == 0) BuildFromInputShape(x.ShapeArray[1..]);
        var expected = _nodes[0].Shape;
        if (x.Rank != expected.Length + 1 || !x.Shape[1..].SequenceEqual(expected))
        {
            string hint = Tensor.Product(x.Shape[1..]) == Tensor.Product(expected)
                ? $" The sizes agree: reshape with x.Reshape(-1, {string.Join(", ", expected)})."
                : " Resize the inputs, or build the model with a matching input shape.";
            throw new ArgumentException(
                $"Model '{Name}' expects input of shape (None, {string.Join(", ", expected)}) (first layer '{_nodes[1].Layer!.Name}'), " +
                $"or one sample of shape ({string.Join(", ", expected)}) as a batch of one, but got {Tensor.FormatShape(x.Shape)}.{hint}");
        }
    }
}
