using System.IO.Compression;
using DeepSharp.Data;

namespace DeepSharp.Tests.Data;

public class IdxFileTests
{
    private static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData("images-idx3-ubyte")]
    [InlineData("images-idx3-ubyte.gz")]
    public void WriteThenReadGivesTheSameBytesAndShape(string name)
    {
        using var dir = new TempFolder();
        var data = RandomBytes(5 * 28 * 28, seed: 1);
        IdxFile.Write(dir.File(name), data, 5, 28, 28);

        var (read, shape) = IdxFile.Read(dir.File(name));

        Assert.Equal(new[] { 5, 28, 28 }, shape);
        Assert.Equal(data, read);
    }

    [Fact]
    public void PlainFileHasTheMnistHeaderAndGzFileIsGzip()
    {
        using var dir = new TempFolder();
        IdxFile.Write(dir.File("labels-idx1-ubyte"), new byte[] { 7, 2, 1 }, 3);
        IdxFile.Write(dir.File("labels-idx1-ubyte.gz"), new byte[] { 7, 2, 1 }, 3);

        var plain = File.ReadAllBytes(dir.File("labels-idx1-ubyte"));
        Assert.Equal(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1 }, plain);
        var gz = File.ReadAllBytes(dir.File("labels-idx1-ubyte.gz"));
        Assert.Equal(new byte[] { 0x1F, 0x8B }, gz[..2]);
        using var unzipped = new MemoryStream();
        using (var g = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress)) g.CopyTo(unzipped);
        Assert.Equal(plain, unzipped.ToArray());
    }

    [Fact]
    public void TruncatedFileErrorNamesTheFileTheSizesAndTheFix()
    {
        using var dir = new TempFolder();
        string path = dir.File("train-images-idx3-ubyte");
        IdxFile.Write(path, RandomBytes(4 * 28 * 28, seed: 2), 4, 28, 28);
        var full = File.ReadAllBytes(path);
        File.WriteAllBytes(path, full[..(16 + 1000)]);     // header + 1000 of 3136 data bytes

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("1000", e.Message);
        Assert.Contains("3136", e.Message);
        Assert.Contains("(4, 28, 28)", e.Message);
        Assert.Contains("download it again", e.Message);
    }

    [Fact]
    public void TruncatedGzipFileErrorNamesTheFile()
    {
        using var dir = new TempFolder();
        string path = dir.File("t10k-images-idx3-ubyte.gz");
        IdxFile.Write(path, RandomBytes(20 * 28 * 28, seed: 3), 20, 28, 28);   // random bytes barely compress
        var full = File.ReadAllBytes(path);
        File.WriteAllBytes(path, full[..(full.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("download it again", e.Message);
    }

    [Fact]
    public void FileWithExtraBytesIsRejected()
    {
        using var dir = new TempFolder();
        string path = dir.File("labels-idx1-ubyte");
        IdxFile.Write(path, new byte[] { 1, 2, 3 }, 3);
        File.AppendAllText(path, "junk");

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("longer than its header says", e.Message);
    }

    [Fact]
    public void FileThatIsNotIdxIsRejectedWithItsName()
    {
        using var dir = new TempFolder();
        string path = dir.File("train-labels-idx1-ubyte");
        File.WriteAllText(path, "<html>404 Not Found</html>");

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an IDX file", e.Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => IdxFile.Read(dir.File("nothing-idx1-ubyte")));
        Assert.Contains("nothing-idx1-ubyte", e.Message);
    }

    [Fact]
    public void WriteRejectsDataThatDoesNotMatchTheShape()
    {
        using var dir = new TempFolder();
        Assert.Throws<ArgumentException>(() => IdxFile.Write(dir.File("x-idx1-ubyte"), new byte[5], 4));
    }
}

/// <summary>Hostile IDX headers (issue 10).</summary>
public class IdxFileHostileTests
{
    [Fact]
    public void WrongMagicInAGzipFile_IsReportedAsNotIdx_NotAsDamagedGzip()
    {
        using var dir = new TempFolder();
        string path = dir.File("x-idx1-ubyte.gz");
        using (var g = new GZipStream(File.Create(path), CompressionLevel.Optimal)) g.Write("hello world"u8);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains("is not an IDX file", e.Message);
        Assert.DoesNotContain("gzip", e.Message);
    }

    [Theory]
    [InlineData("x-idx1-ubyte")]
    [InlineData("x-idx1-ubyte.gz")]
    public void HeaderClaimingTwoBillionItems_InASmallFile_FailsWithoutAllocating(string name)
    {
        using var dir = new TempFolder();
        string path = dir.File(name);
        var header = new byte[] { 0, 0, 8, 1, 0x77, 0x35, 0x94, 0x00 };   // 2,000,000,000 labels
        using (Stream f = File.Create(path))
        using (Stream s = name.EndsWith(".gz") ? new GZipStream(f, CompressionLevel.Optimal) : f)
        {
            s.Write(header);
            s.Write(new byte[1000]);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20);
        Assert.Contains("2000000000", e.Message);
    }
}
