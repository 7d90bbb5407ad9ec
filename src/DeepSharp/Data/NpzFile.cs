using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace DeepSharp.Data;

/// <summary>
/// Reads NumPy <c>.npz</c> archives of unsigned-byte arrays, such as Keras' <c>mnist.npz</c>
/// (a zip of <c>x_train.npy</c>, <c>y_train.npy</c>, <c>x_test.npy</c>, <c>y_test.npy</c>).
/// A <c>.npy</c> file is the magic <c>\x93NUMPY</c>, a version (1.0: 2-byte header length, 2.0/3.0: 4-byte),
/// then a Python dict literal such as <c>{'descr': '|u1', 'fortran_order': False, 'shape': (60000, 28, 28), }</c>
/// padded with spaces, then the values.
/// </summary>
internal static partial class NpzFile
{
    private static readonly byte[] NpyMagic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads every array in the archive, keyed by name without ".npy".</summary>
    public static Dictionary<string, (byte[] Data, int[] Shape)> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"NumPy archive '{path}' does not exist. Check the path.", path);
        var arrays = new Dictionary<string, (byte[] Data, int[] Shape)>();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                if (!entry.Name.EndsWith(".npy", StringComparison.Ordinal)) continue;
                using var s = entry.Open();
                arrays[entry.Name[..^4]] = ReadNpy(s, $"{path}:{entry.FullName}");
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("NumPy", StringComparison.Ordinal))
        {
            long size = new FileInfo(path).Length;
            throw new InvalidDataException($"NumPy archive '{path}' ({size:N0} bytes) is not a valid zip file ({e.Message}). " +
                "It is probably truncated (an interrupted download; Keras' mnist.npz is 11,490,434 bytes): delete it and download it again.", e);
        }
        return arrays;
    }

    /// <summary>Reads one .npy stream of unsigned bytes (dtype '|u1', C order).</summary>
    public static (byte[] Data, int[] Shape) ReadNpy(Stream s, string name)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (ReadFully(s, prefix) < 8 || !prefix[..6].SequenceEqual(NpyMagic))
            throw new InvalidDataException($"NumPy array '{name}' does not start with the .npy magic '\\x93NUMPY'. The archive is damaged: download it again.");
        byte major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            if (ReadFully(s, len) < 2) throw Truncated(name, "its header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            if (ReadFully(s, len) < 4) throw Truncated(name, "its header length");
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(len));
        }
        else
            throw new InvalidDataException($"NumPy array '{name}' has .npy format version {major}; versions 1, 2 and 3 are supported.");

        var headerBytes = new byte[headerLength];
        if (ReadFully(s, headerBytes) < headerLength) throw Truncated(name, "its header");
        string header = Encoding.Latin1.GetString(headerBytes);

        string descr = Match(DescrRegex(), header, name, "descr");
        if (descr is not ("|u1" or "<u1" or ">u1" or "u1"))
            throw new InvalidDataException($"NumPy array '{name}' has dtype '{descr}'; expected unsigned bytes ('|u1', as in Keras' mnist.npz). Save the array with .astype('uint8').");
        if (Match(FortranRegex(), header, name, "fortran_order") != "False")
            throw new InvalidDataException($"NumPy array '{name}' is stored in Fortran order; expected C order. Save it with np.ascontiguousarray(...).");
        string shapeText = Match(ShapeRegex(), header, name, "shape");
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                             .Select(int.Parse).ToArray();
        long size = 1;
        foreach (int d in shape) size *= d;
        if (size > Array.MaxLength)
            throw new InvalidDataException($"NumPy array '{name}' declares shape {Tensor.FormatShape(shape)}, too large for one array.");

        var data = GC.AllocateUninitializedArray<byte>((int)size);
        int got = ReadFully(s, data);
        if (got < size)
            throw new InvalidDataException($"NumPy array '{name}' is truncated: it holds {got} bytes of data but its header declares shape {Tensor.FormatShape(shape)}, which needs {size}. Delete the file and download it again.");
        return (data, shape);
    }

    private static string Match(Regex regex, string header, string name, string key)
    {
        var m = regex.Match(header);
        if (!m.Success)
            throw new InvalidDataException($"NumPy array '{name}' has a header without '{key}': \"{header.Trim()}\". The file is damaged or not written by NumPy.");
        return m.Groups[1].Value;
    }

    private static InvalidDataException Truncated(string name, string what) =>
        new($"NumPy array '{name}' is truncated inside {what}. Delete the file and download it again.");

    private static int ReadFully(Stream s, Span<byte> buffer) => s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
