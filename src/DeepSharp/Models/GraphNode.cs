using DeepSharp.Layers;

namespace DeepSharp.Models;

/// <summary>One step of a model's graph: a layer and the nodes it reads (node 0 is the input, its layer null).</summary>
/// <param name="Layer">The layer that computes this node's value.</param>
/// <param name="Inputs">The nodes whose values it reads, in order.</param>
/// <param name="Shape">The per-sample shape of its value.</param>
/// <param name="Training">The mode fixed by <c>Call(x, training)</c>, or null for the model's.</param>
internal sealed record GraphNode(Layer? Layer, int[] Inputs, int[] Shape, bool? Training = null)
{
    /// <summary>Reused array of input tensors handed to the layer.</summary>
    public Tensor[] InputValues { get; } = new Tensor[Inputs.Length];
}
