namespace DocTests;

/// <summary>Counts and prints what ran: passes, failures (with the output's tail) and skips (with their reasons).</summary>
internal sealed class Report
{
    private readonly List<string> _failures = [];
    private readonly List<(string Where, string Why)> _skips = [];
    public int Passed { get; private set; }
    public int Failed => _failures.Count;
    public int Skipped => _skips.Count;

    public void Pass(string what, double seconds)
    {
        Passed++;
        Console.WriteLine($"  ok      {what} ({seconds:F1} s)");
    }

    public void Fail(string what, string why, string? output = null)
    {
        _failures.Add($"{what}: {why}");
        Console.WriteLine($"  FAILED  {what}: {why}");
        if (output is not null) Console.WriteLine(ProcessRunner.Tail(output));
    }

    public void Skip(string what, string why)
    {
        _skips.Add((what, why));
        Console.WriteLine($"  skipped {what}: {why}");
    }

    /// <summary>Prints the summary; the last line is "doc tests: N passed, N failed, N skipped".</summary>
    public void Print()
    {
        Console.WriteLine();
        if (_skips.Count > 0)
        {
            Console.WriteLine($"Skipped {_skips.Count} (marked in the docs with 'skip:'; run by hand or elsewhere in CI):");
            foreach (var (where, why) in _skips) Console.WriteLine($"  {where}: {why}");
        }
        if (_failures.Count > 0)
        {
            Console.WriteLine($"Failed {_failures.Count}:");
            foreach (var f in _failures) Console.WriteLine($"  {f}");
        }
        Console.WriteLine($"doc tests: {Passed} passed, {Failed} failed, {Skipped} skipped");
    }
}
