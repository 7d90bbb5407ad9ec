using DeepSharp.Backends;
using DeepSharp.Layers;
using DeepSharp.Worlds;

namespace DeepSharp.Models;

/// <summary>
/// Runs a model's graph: its nodes in topological order (<see cref="KerasLayerOrder"/>), the forward pass over them,
/// the backward pass from any node (which nodes need a gradient, each layer's <see cref="BackwardArgs"/>, gradients of
/// a node read by several layers summed), and the named fusions it asks the backend for
/// (<see cref="FusionPattern.ConvThenMaxPool"/>; the loss's <see cref="FusionPattern.ActivationWithCrossentropy"/> is
/// arranged by the model, which owns the loss). <see cref="Model"/> is the Keras-facing surface over it. Every buffer is
/// allocated once per graph, so a training step allocates nothing here.
/// </summary>
internal sealed class GraphExecutor
{
    private readonly GraphNode[] _nodes;
    private readonly Tensor?[] _values, _grads, _accum;
    private readonly bool[] _gradOwned, _wantsGrad;
    private readonly int[] _consumers, _outputNodes;

    /// <summary>The graph of a model that has none yet (a Sequential before its input shape is known).</summary>
    public static GraphExecutor Empty { get; } = new([], []);

    public GraphExecutor(GraphNode[] nodes, int[] outputNodes)
    {
        _nodes = nodes;
        _outputNodes = outputNodes;
        int n = nodes.Length;
        _values = new Tensor?[n];
        _grads = new Tensor?[n];
        _accum = new Tensor?[n];
        _gradOwned = new bool[n];
        _wantsGrad = new bool[n];
        _consumers = new int[n];
        foreach (var node in nodes) foreach (int j in node.Inputs) _consumers[j]++;
    }

    /// <summary>The nodes in the order they run; node 0 is the input.</summary>
    public IReadOnlyList<GraphNode> Nodes => _nodes;

    /// <summary>How many nodes, the input included (0 for <see cref="Empty"/>).</summary>
    public int Count => _nodes.Length;

    /// <summary>The nodes that are the model's outputs, in the order they were given.</summary>
    public IReadOnlyList<int> OutputNodes => _outputNodes;

    /// <summary>Runs the layers up to node <paramref name="lastNode"/> (all it depends on come before it) on input <paramref name="x"/>; returns its output.</summary>
    public Tensor Forward(Tensor x, bool training, int lastNode)
    {
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
    public Tensor? ValueAt(int node) => _values[node];

    /// <summary>dLoss/d(output of node) from the last backward pass (null where no gradient was needed).</summary>
    public Tensor? GradientAt(int node) => _grads[node];

    /// <summary>The node whose value <paramref name="layer"/> computes, or -1.</summary>
    public int IndexOf(Layer layer)
    {
        for (int i = 1; i < _nodes.Length; i++) if (ReferenceEquals(_nodes[i].Layer, layer)) return i;
        return -1;
    }

    /// <summary>
    /// Back-propagates <paramref name="seed"/> (dLoss/d(output of <paramref name="fromNode"/>)) through the graph:
    /// writes the weights' gradients (unless <paramref name="weightGradients"/> is false), and gradients at nodes that
    /// need them: those feeding trainable layers, the input when <paramref name="needInputGradient"/>, and
    /// <paramref name="forceNode"/>. <paramref name="seedIsLogitGradient"/>: the seed is dLoss/dLogits of the
    /// fromNode layer's softmax/sigmoid (the fused loss). <paramref name="inFlight"/> (a distributed step) is told when
    /// each layer's weight gradients are final, to start their all-reduce.
    /// </summary>
    public void Backward(Tensor seed, int fromNode, bool needInputGradient, int forceNode,
        bool seedIsLogitGradient = false, bool weightGradients = true, GradientBuckets? inFlight = null)
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
            if (need && weightGradients && TryConvThenMaxPool(i, g, forceNode))
            {
                inFlight?.LayerDone(_nodes[node.Inputs[0]].Layer!);
                continue;
            }
            node.Layer!.Backprop(g, new BackwardArgs(need, weightGradients, FromLogits: seedIsLogitGradient && i == fromNode));
            inFlight?.LayerDone(node.Layer);
            if (!need) continue;
            for (int s = 0; s < node.Inputs.Length; s++)
                if (_wantsGrad[node.Inputs[s]]) Contribute(node.Inputs[s], node.Layer.InputGradients[s]);
        }
    }

    /// <summary>
    /// The named fusion <see cref="FusionPattern.ConvThenMaxPool"/>: node i, a max pooling, hands its gradient
    /// unscattered to the Conv2D that produced its input when that layer feeds nothing else, is no model output or
    /// chosen node, and needs no input gradient (a first layer): the convolution then writes its weights' gradients
    /// from it (<see cref="Conv2D.TryBackwardThroughMaxPool"/>), and the dense gradient between the two is never
    /// written. <c>bench -- ab --switch fuse-pool-backward</c> on the 2-core AVX2 VM (on/off step time): MNIST training
    /// 0.94-0.95, cats-vs-dogs 0.96. <see cref="Backends.Cpu.CpuBackendOptions.PooledKernelGradient"/> turns it off.
    /// </summary>
    private bool TryConvThenMaxPool(int i, Tensor g, int forceNode)
    {
        if (_nodes[i].Layer is not MaxPooling2D pool || _nodes[i].Inputs.Length != 1) return false;
        int j = _nodes[i].Inputs[0];
        if (j == 0 || j == forceNode || _consumers[j] != 1 || Array.IndexOf(_outputNodes, j) >= 0 || _nodes[j].Layer is not Conv2D conv) return false;
        foreach (int k in _nodes[j].Inputs) if (_wantsGrad[k]) return false;
        return Backend.Current.Fuses(FusionPattern.ConvThenMaxPool) && conv.TryBackwardThroughMaxPool(pool, g);
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

    // ---- routes through nested models (Model.Gradient) ----

    /// <summary>The executor of the model at node <paramref name="node"/> (a nested model).</summary>
    private GraphExecutor Nested(int node) => ((Model)_nodes[node].Layer!).Graph;

    /// <summary>Node indices from this graph down to <paramref name="layer"/> (one per level of nesting), or null.</summary>
    public List<int>? FindRoute(Layer layer)
    {
        int i = IndexOf(layer);
        if (i > 0) return [i];
        for (i = 1; i < _nodes.Length; i++)
            if (_nodes[i].Layer is Model && Nested(i).FindRoute(layer) is { } sub) { sub.Insert(0, i); return sub; }
        return null;
    }

    /// <summary>The route to the last non-model layer at the output (through nested models that end the graph).</summary>
    public int[] OutputLeafRoute()
    {
        var route = new List<int>();
        var g = this;
        while (true)
        {
            route.Add(g._nodes.Length - 1);
            if (g._nodes[^1].Layer is Model) g = g.Nested(g._nodes.Length - 1);
            else return route.ToArray();
        }
    }

    /// <summary>The graph and node at the end of <paramref name="route"/>.</summary>
    public (GraphExecutor Graph, int Node) Locate(ReadOnlySpan<int> route)
    {
        var g = this;
        for (int k = 0; k < route.Length - 1; k++) g = g.Nested(route[k]);
        return (g, route[^1]);
    }

    /// <summary>
    /// Back-propagates <paramref name="seed"/> (at the end of route <paramref name="obj"/>) to the end of route
    /// <paramref name="wrt"/> (empty: the input) without touching weight gradients; null when there is no path.
    /// </summary>
    public Tensor? BackpropRoute(ReadOnlySpan<int> obj, ReadOnlySpan<int> wrt, Tensor seed, bool logits)
    {
        int o = obj[0];
        if (obj.Length > 1)
        {
            var inner = Nested(o);
            if (wrt.Length > 1 && wrt[0] == o) return inner.BackpropRoute(obj[1..], wrt[1..], seed, logits);
            if (wrt.Length == 1 && wrt[0] == o) return null;   // the nested model's output comes after the objective
            var g = inner.BackpropRoute(obj[1..], [], seed, logits);
            if (g is null) return null;
            o = _nodes[o].Inputs[0];   // continue from the node feeding the nested model
            seed = g;
            logits = false;
            if (wrt.Length == 0 && o == 0) return g;
        }
        if (wrt.Length == 0)
        {
            Backward(seed, o, needInputGradient: true, forceNode: -1, seedIsLogitGradient: logits, weightGradients: false);
            return _grads[0];
        }
        int w = wrt[0];
        Backward(seed, o, needInputGradient: false, forceNode: w, seedIsLogitGradient: logits, weightGradients: false);
        var gw = _grads[w];
        if (wrt.Length == 1 || gw is null) return gw;
        var nested = Nested(w);
        return nested.BackpropRoute([nested._nodes.Length - 1], wrt[1..], gw, false);
    }
}
