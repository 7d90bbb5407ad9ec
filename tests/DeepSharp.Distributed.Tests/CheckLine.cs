using System.Text;

namespace DeepSharp.DistributedTests;

/// <summary>
/// Prints a rank's "CHECK ..." line with one write(2) to stdout. Console.WriteLine flushes a long line in pieces, and
/// mpirun's --tag-output tags every piece it reads as a line of its own ("[1,0]&lt;stdout&gt;:" in the middle of a CHECK
/// line, seen under load); a single write of less than PIPE_BUF (4096) bytes reaches the pipe whole.
/// </summary>
internal static class CheckLine
{
    private static readonly Stream Stdout = Console.OpenStandardOutput();
    private static readonly object Gate = new();

    public static void Write(string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
        if (bytes.Length >= 4096) throw new ArgumentException($"a CHECK line of {bytes.Length} bytes may reach mpirun in pieces; keep it under 4096 bytes", nameof(line));
        lock (Gate)
        {
            Console.Out.Flush();
            Stdout.Write(bytes);
            Stdout.Flush();
        }
    }
}
