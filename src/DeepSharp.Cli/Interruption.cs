namespace DeepSharp.Cli;

/// <summary>
/// Ctrl+C for the commands: the first press cancels the token that Fit, Evaluate and Predict check between batches
/// (training stops cleanly, nothing half-saved; Program prints what happened and exits 130); a second press ends the
/// process at once, as usual.
/// </summary>
internal static class Interruption
{
    private static readonly CancellationTokenSource Source = new();
    private static int _installed;

    /// <summary>The token cancelled by Ctrl+C (the handler is installed on first use).</summary>
    public static CancellationToken Token
    {
        get
        {
            if (Interlocked.Exchange(ref _installed, 1) == 0)
                Console.CancelKeyPress += (_, e) =>
                {
                    if (Source.IsCancellationRequested) return;   // second Ctrl+C: let the runtime end the process
                    e.Cancel = true;
                    Console.Error.WriteLine("Interrupting: training stops after the current batch (Ctrl+C again to quit at once)...");
                    Source.Cancel();
                };
            return Source.Token;
        }
    }
}
