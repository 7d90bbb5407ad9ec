using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using DeepSharp.Data;

namespace DeepSharp.Tests.Data;

/// <summary>NpzWriter output read back by parsing the .npy format (what numpy.load does) and by our own NpzFile for the layout.</summary>
public class NpzWriterTests
{
    private static (string Descr, int[] Shape, byte[] Data) ReadNpy(ZipArchive zip, string name)
    {
        using var s = zip.GetEntry(name + ".npy")!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        var b = ms.ToArray();
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], b[..8]);
        int len = b[8] | (b[9] << 8);
        Assert.Equal(0, (10 + len) % 64);                       // data aligned as NumPy writes it
        string header = Encoding.ASCII.GetString(b, 10, len);
        Assert.EndsWith("\n", header);
        string descr = Regex.Match(header, "'descr': '([^']*)'").Groups[1].Value;
        Assert.Contains("'fortran_order': False", header);
        var shape = Regex.Match(header, @"'shape': \(([^)]*)\)").Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        return (descr, shape, b[(10 + len)..]);
    }

    [Fact]
    public void WritesFloatIntAndUnicodeArraysNumPyReads()
    {
        using var dir = new TempFolder();
        string path = dir.File("features.npz");
        var features = Tensor.FromArray([1.5f, -2f, 3.25f, 0f, 5f, 6f], 2, 1, 3);
        new NpzWriter().Add("features", features).Add("labels", [0, 1]).Add("file_names", ["cats/a.jpg", "dogs/ü.png"]).Save(path);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["features.npy", "labels.npy", "file_names.npy"], zip.Entries.Select(e => e.FullName).ToArray());

        var f = ReadNpy(zip, "features");
        Assert.Equal("<f4", f.Descr);
        Assert.Equal([2, 1, 3], f.Shape);
        var floats = new float[6];
        Buffer.BlockCopy(f.Data, 0, floats, 0, 24);
        Assert.Equal(features.Span.ToArray(), floats);

        var l = ReadNpy(zip, "labels");
        Assert.Equal("<i4", l.Descr);
        Assert.Equal([2], l.Shape);
        Assert.Equal([0, 0, 0, 0, 1, 0, 0, 0], l.Data);

        var n = ReadNpy(zip, "file_names");
        Assert.Equal("<U10", n.Descr);
        Assert.Equal("dogs/ü.png", Encoding.UTF32.GetString(n.Data, 40, 40).TrimEnd('\0'));
        Assert.Throws<ArgumentException>(() => new NpzWriter().Add("a", [1]).Add("a", [2]));
    }
}
