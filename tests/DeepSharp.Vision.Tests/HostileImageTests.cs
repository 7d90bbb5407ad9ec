using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace DeepSharp.Vision.Tests;

/// <summary>
/// Issue 10's image cases: decompression bombs are refused from the header before any pixel memory is allocated,
/// pipes never block the decoder, and file names that are not UTF-8 are reported, not crashed on.
/// </summary>
public class HostileImageTests
{
    /// <summary>A valid PNG of <paramref name="w"/>×<paramref name="h"/> gray pixels whose rows are all zero (deflate makes it tiny).</summary>
    internal static byte[] ZeroPng(int w, int h)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8;   // bit depth 8, color type 0 (gray)
        Chunk(ms, "IHDR", ihdr);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var row = new byte[w + 1];
                for (int y = 0; y < Math.Min(h, 64); y++) z.Write(row);   // only the first rows: enough for the header test
            }
            Chunk(ms, "IDAT", raw.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc32.HashToUInt32(typed));
        s.Write(len);
    }

    [Theory]
    [InlineData(20000, 20000)]
    [InlineData(30000, 30000)]
    [InlineData(14000, 14000)]
    public void DecompressionBomb_IsRefusedFromTheHeader_NamingTheLimit(int w, int h)
    {
        using var dir = new TempDir();
        string path = dir["bomb.png"];
        File.WriteAllBytes(path, ZeroPng(w, h));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageDecodeException>(() => ImageIO.Load(path, targetSize: (150, 150)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
        Assert.Contains(path, e.Message);
        Assert.Contains("MaxImagePixels", e.Message);
        Assert.Contains("--max-image-pixels", e.Message);
    }

    [Fact]
    public void BombsInAFolder_AreSkippedWithSkipBadFiles()
    {
        using var dir = new TempDir();
        TestFiles.Write(dir["a/ok.png"], TestFiles.Solid(8, 8, 10, 20, 30), 8, 8, SkiaSharp.SKEncodedImageFormat.Png);
        File.WriteAllBytes(dir["a/bomb.png"], ZeroPng(30000, 30000));
        using var it = new ImageDataGenerator().FlowFromDirectory(dir.Path, (8, 8), classMode: ClassMode.Sparse, batchSize: 4, skipBadFiles: true);
        Assert.Equal(1, it.SampleCount);
        Assert.Equal(["a/bomb.png"], it.BadFiles);
    }

    [Fact]
    public void AFifoNamedLikeAnImage_IsReported_NeverOpened()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["a"]);
        string fifo = dir["a/x.jpg"];
        Process.Start("mkfifo", [fifo])!.WaitForExit();
        Assert.True(File.Exists(fifo));
        var load = Task.Run(() => Assert.Throws<ImageDecodeException>(() => ImageIO.Load(fifo)));
        Assert.True(load.Wait(10_000), "decoding a FIFO blocked");
        Assert.Contains("not a regular file", load.Result.Message);

        TestFiles.Write(dir["a/ok.png"], TestFiles.Solid(8, 8, 10, 20, 30), 8, 8, SkiaSharp.SKEncodedImageFormat.Png);
        var scan = Task.Run(() =>
        {
            using var it = new ImageDataGenerator().FlowFromDirectory(dir.Path, (8, 8), classMode: ClassMode.Sparse, batchSize: 4, skipBadFiles: true);
            return it.BadFiles.ToArray();
        });
        Assert.True(scan.Wait(10_000), "scanning a folder holding a FIFO blocked");
        Assert.Equal(["a/x.jpg"], scan.Result);
    }

    [Fact]
    public void OnlyRegularFilesAreOpened_EvenThroughLinksWithFollowLinks()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["a"]);
        Directory.CreateDirectory(dir["elsewhere"]);
        TestFiles.Write(dir["a/ok.png"], TestFiles.Solid(8, 8, 10, 20, 30), 8, 8, SkiaSharp.SKEncodedImageFormat.Png);
        string fifo = dir["elsewhere/pipe.jpg"];
        Process.Start("mkfifo", [fifo])!.WaitForExit();
        File.CreateSymbolicLink(dir["a/link-to-fifo.jpg"], fifo);   // the link's own size is not 0: a size check let it through
        File.CreateSymbolicLink(dir["a/null.png"], "/dev/null");
        Directory.CreateSymbolicLink(dir["a/linked"], dir["elsewhere"]);   // entered only with followLinks

        var load = Task.Run(() => Assert.Throws<ImageDecodeException>(() => ImageIO.Load(dir["a/link-to-fifo.jpg"])));
        if (!load.Wait(10_000)) { File.WriteAllBytes(fifo, []); Assert.Fail("decoding a link to a FIFO blocked"); }
        Assert.Contains("a FIFO (named pipe), not a regular file", load.Result.Message);

        var scan = Task.Run(() =>
        {
            using var it = new ImageDataGenerator().FlowFromDirectory(dir.Path, (8, 8), classes: ["a"], classMode: ClassMode.Sparse,
                batchSize: 4, skipBadFiles: true, followLinks: true);
            return (it.SampleCount, Bad: it.BadFiles.ToArray());
        });
        if (!scan.Wait(10_000)) { File.WriteAllBytes(fifo, []); Assert.Fail("scanning a folder with links to a FIFO blocked"); }
        Assert.Equal(1, scan.Result.SampleCount);
        Assert.Equal(["a/link-to-fifo.jpg", "a/linked/pipe.jpg", "a/null.png"], scan.Result.Bad.Order(StringComparer.Ordinal));

        using var strict = new ImageDataGenerator().FlowFromDirectory(dir.Path, (8, 8), classes: ["a"], classMode: ClassMode.Sparse,
            batchSize: 4, shuffle: false, followLinks: true);
        var batch = Task.Run(() => Assert.Throws<ImageDecodeException>(() => strict.Next()));
        if (!batch.Wait(10_000)) { File.WriteAllBytes(fifo, []); Assert.Fail("a batch reading a link to a FIFO blocked"); }
        Assert.Contains("not a regular file", batch.Result.Message);
    }

    [Fact]
    public void AFileNameThatIsNotUtf8_IsABadFile_NotACrash()
    {
        using var dir = new TempDir();
        TestFiles.Write(dir["a/ok.png"], TestFiles.Solid(8, 8, 10, 20, 30), 8, 8, SkiaSharp.SKEncodedImageFormat.Png);
        // .NET strings cannot name such a file: let the shell write the raw byte 0xFF.
        var p = Process.Start("bash", ["-c", $"cp '{dir["a/ok.png"]}' \"{dir["a"]}/$(printf 'bad\\xff.png')\""])!;
        p.WaitForExit();
        Assert.Equal(2, Directory.GetFiles(dir["a"]).Length);

        using var it = new ImageDataGenerator().FlowFromDirectory(dir.Path, (8, 8), classMode: ClassMode.Sparse, batchSize: 4, skipBadFiles: true);
        Assert.Equal(1, it.SampleCount);
        Assert.Single(it.BadFiles);

        var bad = Directory.GetFiles(dir["a"]).Single(f => f.Contains('\uFFFD'));
        Assert.Contains("not valid UTF-8", Assert.Throws<ImageDecodeException>(() => ImageIO.Load(bad)).Message);
    }
}

/// <summary>Links in data folders (issue 10): not followed unless asked, and then each real folder once.</summary>
public class DataFolderLinkTests
{
    private static TempDir TwoClasses()
    {
        var dir = new TempDir();
        foreach (var (cls, n) in new[] { ("a", 2), ("b", 3) })
            for (int i = 0; i < n; i++)
                TestFiles.Write(dir[$"{cls}/{cls}{i}.png"], TestFiles.Solid(6, 6, 9, 9, 9), 6, 6, SkiaSharp.SKEncodedImageFormat.Png);
        return dir;
    }

    private static DirectoryIterator Flow(string path, bool followLinks) =>
        new ImageDataGenerator().FlowFromDirectory(path, (6, 6), classMode: ClassMode.Sparse, batchSize: 4, shuffle: false, followLinks: followLinks);

    [Fact]
    public void LoopSelfAndUpLinks_AreNotFollowedByDefault()
    {
        using var dir = TwoClasses();
        Directory.CreateSymbolicLink(dir["a/loop"], "..");
        Directory.CreateSymbolicLink(dir["a/self"], ".");
        Directory.CreateSymbolicLink(dir["a/up"], "../b");
        using var outside = new TempDir();
        TestFiles.Write(outside["e.png"], TestFiles.Solid(6, 6, 9, 9, 9), 6, 6, SkiaSharp.SKEncodedImageFormat.Png);
        Directory.CreateSymbolicLink(dir["a/ext"], outside.Path);
        using var it = Flow(dir.Path, followLinks: false);
        Assert.Equal(5, it.SampleCount);
        Assert.Equal(["a/a0.png", "a/a1.png", "b/b0.png", "b/b1.png", "b/b2.png"], it.Filenames);
    }

    [Fact]
    public void WithFollowLinks_EachRealFolderIsVisitedOnce()
    {
        using var dir = TwoClasses();
        Directory.CreateDirectory(dir["b/more"]);
        TestFiles.Write(dir["b/more/m.png"], TestFiles.Solid(6, 6, 9, 9, 9), 6, 6, SkiaSharp.SKEncodedImageFormat.Png);
        Directory.CreateSymbolicLink(dir["a/loop"], "..");         // a cycle back to the root
        Directory.CreateSymbolicLink(dir["a/self"], ".");          // a cycle to itself
        Directory.CreateSymbolicLink(dir["b/more/again"], "..");   // b again, from inside b
        using var outside = new TempDir();
        TestFiles.Write(outside["e.png"], TestFiles.Solid(6, 6, 9, 9, 9), 6, 6, SkiaSharp.SKEncodedImageFormat.Png);
        Directory.CreateSymbolicLink(dir["a/ext"], outside.Path);  // a real folder elsewhere: followed when asked
        var scan = Task.Run(() => { using var it = Flow(dir.Path, followLinks: true); return it.Filenames.ToArray(); });
        Assert.True(scan.Wait(20_000), "the scan did not end");
        Assert.Equal(["a/a0.png", "a/a1.png", "a/ext/e.png", "b/b0.png", "b/b1.png", "b/b2.png", "b/more/m.png"], scan.Result);
    }
}
