using System.Buffers.Binary;
using System.IO.Compression;

namespace DeepSharp.Data;

/// <summary>
/// Reads and writes IDX files, the format of the original MNIST and Fashion-MNIST files
/// (<c>train-images-idx3-ubyte</c>, ...): a 4-byte magic number (0, 0, type 0x08 = unsigned byte,
/// number of dimensions), each dimension as a big-endian int32, then the values in row-major order.
/// Gzipped files (<c>.gz</c>) are recognised by their first bytes and decompressed on the fly.
/// </summary>
/// <example>
/// <code>
/// var (bytes, shape) = IdxFile.Read("train-images-idx3-ubyte.gz");   // shape (60000, 28, 28)
/// IdxFile.Write("labels-idx1-ubyte.gz", new byte[] { 3, 1, 4 }, 3);
/// </code>
/// </example>
public static class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an IDX file of unsigned bytes, plain or gzipped. Returns the values and the dimensions.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an IDX file of unsigned bytes, or is truncated or too long.</exception>
    public static (byte[] Data, int[] Shape) Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist. Check the path, or download the dataset again.", path);
        if (Limits.RegularFile.NotRegular(path) is { } what)
            throw new InvalidDataException($"IDX file '{path}' is {what}, not a regular file, so it is not opened (reading it could block forever).");
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads an IDX stream (plain or gzipped); <paramref name="name"/> names it in error messages.</summary>
    public static (byte[] Data, int[] Shape) Read(Stream stream, string name)
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        Stream source = IsGzip(buffered) ? new GZipStream(buffered, CompressionMode.Decompress) : buffered;
        try
        {
            long compressedLength = buffered.CanSeek ? buffered.Length - buffered.Position : -1;
            return ReadIdx(source, name, compressedLength);
        }
        catch (InvalidDataException e) when (source != buffered && !e.Message.Contains($"'{name}'", StringComparison.Ordinal))
        {
            // GZipStream's own errors ("unsupported compression method", bad checksum) do not name the file.
            throw new InvalidDataException($"IDX file '{name}' is a damaged gzip file ({e.Message}). Delete it and download it again.", e);
        }
        finally
        {
            if (source != buffered) source.Dispose();
        }
    }

    /// <summary>
    /// Writes values as an IDX file of unsigned bytes with the given dimensions; gzipped when the path ends in <c>.gz</c>.
    /// The folder is created if needed.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> data, params int[] shape)
    {
        if (shape.Length is < 1 or > 255)
            throw new ArgumentException($"An IDX file has 1 to 255 dimensions; got {shape.Length}.", nameof(shape));
        long expected = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"IDX dimensions must be 0 or more; got {Tensor.FormatShape(shape)}.", nameof(shape));
            expected *= d;
        }
        if (data.Length != expected)
            throw new ArgumentException($"Cannot write '{path}': shape {Tensor.FormatShape(shape)} needs {expected} bytes but {data.Length} were given.", nameof(data));

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        using var file = File.Create(path);
        using Stream output = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Optimal) : file;
        Span<byte> header = stackalloc byte[4 + 4 * shape.Length];
        header[2] = UnsignedByteType;
        header[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.Slice(4 + 4 * i, 4), shape[i]);
        output.Write(header);
        output.Write(data);
    }

    /// <summary>Deflate's largest expansion: 258 bytes from about 2 bits.</summary>
    private const long MaxDeflateRatio = 1032;

    private static (byte[] Data, int[] Shape) ReadIdx(Stream s, string name, long compressedLength)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = ReadFully(s, magic);
        if (got < 4)
            throw new InvalidDataException($"IDX file '{name}' is truncated: it has {got} bytes, fewer than the 4-byte header. Delete it and download it again.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException($"'{name}' is not an IDX file: it starts with bytes 0x{magic[0]:X2} 0x{magic[1]:X2}, expected 0x00 0x00 (as in MNIST's train-images-idx3-ubyte). Check that the path names an MNIST-format file, and re-download it if it is damaged.");
        if (magic[2] != UnsignedByteType)
            throw new InvalidDataException($"IDX file '{name}' holds values of type 0x{magic[2]:X2}; only unsigned bytes (0x08, as in MNIST) are supported.");
        int rank = magic[3];
        if (rank == 0)
            throw new InvalidDataException($"IDX file '{name}' declares 0 dimensions; expected 1 (labels) or 3 (images). The file is damaged: download it again.");

        var dimBytes = new byte[4 * rank];
        got = ReadFully(s, dimBytes);
        if (got < dimBytes.Length)
            throw new InvalidDataException($"IDX file '{name}' is truncated inside its header: got {4 + got} header bytes, expected {4 + dimBytes.Length}. Delete it and download it again.");
        var shape = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i, 4));
            if (shape[i] < 0)
                throw new InvalidDataException($"IDX file '{name}' declares a negative dimension {shape[i]}. The file is damaged: download it again.");
            if (size <= Array.MaxLength) size *= shape[i];   // both factors are below 2^31: no overflow
        }
        if (size > Array.MaxLength)
            throw new InvalidDataException($"IDX file '{name}' declares shape {Tensor.FormatShape(shape)} ({size} values), too large for one array. The file is probably damaged: download it again.");
        // The data cannot be longer than the file holds (plain) or than deflate can expand it (gzip, at most 1032:1).
        long available = s.CanSeek ? s.Length - s.Position : compressedLength * MaxDeflateRatio;
        if (available >= 0 && size > available)
            throw new InvalidDataException($"IDX file '{name}' is truncated: its header declares shape {Tensor.FormatShape(shape)}, which needs {size} bytes of data, " +
                $"but the file {(s.CanSeek ? $"holds {available}" : $"({compressedLength} gzip bytes) can hold at most {available}")}. Delete it and download it again.");

        var data = GC.AllocateUninitializedArray<byte>((int)size);
        got = ReadFully(s, data);
        if (got < data.Length)
            throw new InvalidDataException($"IDX file '{name}' is truncated: it holds {got} bytes of data but its header declares shape {Tensor.FormatShape(shape)}, which needs {size}. The file is incomplete (an interrupted download or copy?): delete it and download it again.");
        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(s, extra) != 0)
            throw new InvalidDataException($"IDX file '{name}' is longer than its header says: shape {Tensor.FormatShape(shape)} needs {size} data bytes but more follow. The file is damaged or not an IDX file: download it again.");
        return (data, shape);
    }

    private static bool IsGzip(BufferedStream s)
    {
        // Peek at the first two bytes: gzip files start with 0x1F 0x8B, IDX files with 0x00 0x00.
        Span<byte> head = stackalloc byte[2];
        long start = s.CanSeek ? s.Position : -1;
        int n = ReadFully(s, head);
        if (start >= 0) s.Position = start;
        else if (n > 0) throw new NotSupportedException("IdxFile.Read needs a seekable stream.");
        return n == 2 && head[0] == 0x1F && head[1] == 0x8B;
    }

    private static int ReadFully(Stream s, Span<byte> buffer) => s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
}
