using System.Text;

namespace DeepSharp.Bench;

/// <summary>Writes everything to the console and to a results file (bench --save).</summary>
public sealed class TeeWriter(TextWriter console, TextWriter file) : TextWriter
{
    public override Encoding Encoding => console.Encoding;
    public override void Write(char value) { console.Write(value); file.Write(value); }
    public override void Write(string? value) { console.Write(value); file.Write(value); }
    public override void WriteLine(string? value) { console.WriteLine(value); file.WriteLine(value); }
    public override void Flush() { console.Flush(); file.Flush(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing) file.Dispose();
        base.Dispose(disposing);
    }
}
