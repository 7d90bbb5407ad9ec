namespace DeepSharp.Vision;

/// <summary>Shape arithmetic for the iterators' buffers.</summary>
internal static class VisionShapes
{
    /// <summary>The number of values of a shape; a shape too large for one array is an error naming it.</summary>
    public static int Product(ReadOnlySpan<int> shape)
    {
        long p = 1;
        foreach (int d in shape) p *= d;
        if (p > Array.MaxLength) throw new ArgumentException($"Shape {Tensor.FormatShape(shape)} has {p} values, more than one array can hold.");
        return (int)p;
    }
}
