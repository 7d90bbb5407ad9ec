using DeepSharp.Layers;

namespace DeepSharp.Limits;

/// <summary>
/// Checks each weight a layer creates before its memory is allocated: its size must fit one array, and while a model
/// file is being loaded, all weights together must fit in what the file's weights entry declares (a float takes at
/// least 4 bytes there). So a <c>config.json</c> saying <c>units: 8000000</c> fails at once, naming the layer, instead
/// of allocating gigabytes for weights the file cannot hold.
/// </summary>
internal static class WeightBudget
{
    [ThreadStatic] private static Scope? _current;

    /// <summary>
    /// Limits the weights created on this thread, until the result is disposed, to what an entry of
    /// <paramref name="entryBytes"/> bytes can hold (4 bytes a value) plus <paramref name="slackValues"/> values.
    /// </summary>
    public static IDisposable Limit(long entryBytes, long slackValues, string file, string entry)
    {
        var scope = new Scope(entryBytes, slackValues, file, entry, _current);
        _current = scope;
        return scope;
    }

    /// <summary>Called by <see cref="Layer"/> before it allocates a weight of <paramref name="shape"/>.</summary>
    public static void Take(Layer layer, string weight, int[] shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"Layer '{layer.Name}' ({layer.ClassName}): weight '{weight}' would have shape {Tensor.FormatShape(shape)}, with a negative size. Check the layer's configuration.");
            if (count <= Array.MaxLength) count *= d;   // both factors are below 2^31: no overflow
        }
        if (count > Array.MaxLength)
            throw new ArgumentException($"Layer '{layer.Name}' ({layer.ClassName}): weight '{weight}' would have shape {Tensor.FormatShape(shape)}, " +
                $"{count:N0} values, more than one array can hold ({Array.MaxLength:N0}). Check the layer's sizes (units, filters, kernel size) and its input shape.");
        if (_current is not { } s) return;
        s.Used += count;
        if (s.Used > s.Values)
            throw new ArgumentException($"Layer '{layer.Name}' ({layer.ClassName}): weight '{weight}' of shape {Tensor.FormatShape(shape)} ({count:N0} values) " +
                $"takes the model to {s.Used:N0} values, but {s.Entry} in '{s.File}' is {s.EntryBytes:N0} bytes: room for {s.EntryBytes / 4:N0} float32 values " +
                $"(plus {s.Slack:N0} allowed for weights Keras does not store). " +
                "The config does not match the weights: the file is damaged or was edited.");
    }

    private sealed class Scope(long entryBytes, long slack, string file, string entry, Scope? previous) : IDisposable
    {
        public readonly long EntryBytes = entryBytes, Slack = slack, Values = entryBytes / 4 + slack;
        public readonly string File = file, Entry = entry;
        public long Used;

        public void Dispose() => _current = previous;
    }
}
