namespace DeepSharp.Metrics;

/// <summary>
/// Top-k membership on one row of scores. Host loops over the row (no allocation): the backend has no top-k or
/// rank primitive, and a row of class scores is short.
/// </summary>
internal static class TopK
{
    public static int CheckK(int k, string metric) => k >= 1 ? k
        : throw new ArgumentOutOfRangeException(nameof(k), $"Metric '{metric}': k must be at least 1 (how many of the largest predictions count), got {k}.");

    /// <summary>Keras' ops.in_top_k: whether row[target] is at least the k-th largest value (ties count as in).</summary>
    public static bool Contains(ReadOnlySpan<float> row, int target, int k)
    {
        float v = row[target];
        int greater = 0;
        foreach (float x in row)
            if (x > v && ++greater >= k) return false;
        return true;
    }

    /// <summary>
    /// Whether row[j] is among the k largest as ops.top_k picks them (metrics_utils._filter_top_k): larger first, the
    /// lower index first on ties.
    /// </summary>
    public static bool Keeps(ReadOnlySpan<float> row, int j, int k)
    {
        float v = row[j];
        int before = 0;
        for (int i = 0; i < row.Length; i++)
            if ((row[i] > v || (row[i] == v && i < j)) && ++before >= k) return false;
        return true;
    }
}
