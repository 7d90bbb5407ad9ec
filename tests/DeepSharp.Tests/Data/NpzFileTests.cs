using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DeepSharp.Data;

namespace DeepSharp.Tests.Data;

/// <summary>Damaged and hostile .npz archives fail with an <see cref="InvalidDataException"/> naming the file, before allocating what they declare.</summary>
public class NpzFileTests
{
    /// <summary>A .npy version 1 blob: magic, header padded to 64 bytes, data.</summary>
    internal static byte[] Npy(string shape, byte[] data, string descr = "|u1", int major = 1, uint? headerLength = null)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({shape}), }}";
        header += new string(' ', 63 - (header.Length + 10) % 64) + "\n";
        var h = Encoding.Latin1.GetBytes(header);
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        Span<byte> len = stackalloc byte[4];
        if (major == 1) { BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)(headerLength ?? (uint)h.Length)); ms.Write(len[..2]); }
        else { BinaryPrimitives.WriteUInt32LittleEndian(len, headerLength ?? (uint)h.Length); ms.Write(len); }
        ms.Write(h);
        ms.Write(data);
        return ms.ToArray();
    }

    internal static void WriteNpz(string path, params (string Name, byte[] Bytes)[] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
            s.Write(bytes);
        }
    }

    [Fact]
    public void ValidArchive_Reads()
    {
        using var dir = new TempFolder();
        string path = dir.File("a.npz");
        WriteNpz(path, ("x.npy", Npy("2, 3", [1, 2, 3, 4, 5, 6])));
        var arrays = NpzFile.Read(path);
        Assert.Equal(new[] { 2, 3 }, arrays["x"].Shape);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, arrays["x"].Data);
    }

    [Theory]
    [InlineData("99999999999, 28, 28", "whole number")]
    [InlineData("-5, 28, 28", "whole number")]
    [InlineData("2000000000,", "truncated")]
    [InlineData("65536, 65536", "too large")]
    public void ImpossibleShapes_FailWithoutAllocating(string shape, string expected)
    {
        using var dir = new TempFolder();
        string path = dir.File("bad.npz");
        WriteNpz(path, ("x_train.npy", Npy(shape, new byte[1000])));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => NpzFile.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20);
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x7FFFFFF0u)]
    [InlineData(10_001u)]
    public void HugeHeaderLength_IsRefusedBeforeReading(uint headerLength)
    {
        using var dir = new TempFolder();
        string path = dir.File("bad.npz");
        WriteNpz(path, ("x_train.npy", Npy("1,", [1], major: 2, headerLength: headerLength)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => NpzFile.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20);
        Assert.Contains("max_header_size", e.Message);
    }

    [Fact]
    public void DamagedEntry_FailsItsCrcCheck()
    {
        using var dir = new TempFolder();
        string path = dir.File("crc.npz");
        var data = new byte[4000];
        new Random(3).NextBytes(data);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("x.npy", CompressionLevel.NoCompression).Open())
            s.Write(Npy("4000,", data));
        var bytes = File.ReadAllBytes(path);
        bytes[2000] ^= 0x55;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => NpzFile.Read(path));
        Assert.Contains("CRC-32", e.Message);
    }

    [Fact]
    public void DuplicateEntries_AreRejected()
    {
        using var dir = new TempFolder();
        string path = dir.File("dup.npz");
        WriteNpz(path, ("x.npy", Npy("1,", [1])), ("x.npy", Npy("1,", [2])));
        Assert.Contains("two entries", Assert.Throws<InvalidDataException>(() => NpzFile.Read(path)).Message);
    }
}
