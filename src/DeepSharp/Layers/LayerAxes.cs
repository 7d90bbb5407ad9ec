namespace DeepSharp.Layers;

/// <summary>Keras' axis convention for layers: axes count the batch axis (0), negative axes count from the end.</summary>
internal static class LayerAxes
{
    /// <summary>The axis as an index into the batched shape (1 … rank); the batch axis itself is refused.</summary>
    public static int Resolve(int axis, int sampleRank, string layer, string className)
    {
        int rank = sampleRank + 1;
        int a = axis < 0 ? axis + rank : axis;
        if (a <= 0 || a >= rank)
            throw new ArgumentException($"{className} '{layer}': axis {axis} is not valid for inputs of rank {rank} (batch axis included); use 1 … {rank - 1} or -1 … -{rank - 1}. The batch axis (0) cannot be used.");
        return a;
    }

    /// <summary>A list of integers from a layer config (dims, target_shape, constant_shape).</summary>
    public static int[] ReadInts(Saving.LayerConfig c, string key) =>
        c.Json[key] is System.Text.Json.Nodes.JsonArray a ? a.Select(v => v!.GetValue<int>()).ToArray()
        : throw new FormatException($"{c.ClassName} '{c.Name}': config key \"{key}\" must be a list of integers.");
}
