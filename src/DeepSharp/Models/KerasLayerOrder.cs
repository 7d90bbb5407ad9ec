using DeepSharp.Layers;

namespace DeepSharp.Models;

/// <summary>
/// Orders a functional graph's nodes as Keras lists <c>model.layers</c> (and so its config and weight files):
/// by decreasing depth, where an output has depth 0 and a node's depth is one more than the deepest node that reads it;
/// ties go to the order in which a depth-first walk from the outputs (inputs in call order) first meets the layer.
/// </summary>
/// <remarks>
/// This is Keras 3's <c>map_graph</c> / <c>_build_map</c> (keras/src/ops/function.py), the same rule as tf.keras 2's
/// <c>_map_graph_network</c>. A producer is always deeper than its readers, so the order is also a valid execution order.
/// </remarks>
internal static class KerasLayerOrder
{
    /// <summary>Returns <paramref name="topological"/> (any execution order, inputs first) re-sorted in Keras' order.</summary>
    public static List<SymbolicTensor> Sort(IReadOnlyList<SymbolicTensor> topological, IReadOnlyList<SymbolicTensor> outputs)
    {
        var cmp = ReferenceEqualityComparer.Instance;
        var depth = new Dictionary<SymbolicTensor, int>(cmp);
        // Reverse execution order: every reader of a node is settled before the node itself.
        for (int i = topological.Count - 1; i >= 0; i--)
        {
            var t = topological[i];
            int d = depth.TryGetValue(t, out var known) ? known : 0;
            depth[t] = d;
            foreach (var parent in t.Inputs)
                depth[parent] = Math.Max(d + 1, depth.TryGetValue(parent, out var p) ? p : 0);
        }
        var firstSeen = new Dictionary<SymbolicTensor, int>(cmp);
        foreach (var o in outputs) PreOrder(o, firstSeen);
        return topological
            .Select((t, i) => (t, i))
            .OrderByDescending(e => depth[e.t])
            .ThenBy(e => firstSeen.TryGetValue(e.t, out var s) ? s : int.MaxValue)
            .ThenBy(e => e.i)
            .Select(e => e.t)
            .ToList();
    }

    private static void PreOrder(SymbolicTensor t, Dictionary<SymbolicTensor, int> seen)
    {
        // Iterative depth-first walk (deep ResNets would recurse a few hundred levels; fine either way, but keep it flat).
        var stack = new Stack<SymbolicTensor>();
        stack.Push(t);
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (seen.ContainsKey(x)) continue;
            seen[x] = seen.Count;
            for (int i = x.Inputs.Length - 1; i >= 0; i--) stack.Push(x.Inputs[i]);
        }
    }
}
