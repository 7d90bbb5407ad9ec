using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using DeepSharp.Limits;

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
    /// <summary>NumPy's default <c>max_header_size</c>: longer headers are refused before they are read.</summary>
    private const int MaxHeaderLength = 10000;

    private static readonly byte[] NpyMagic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads every array in the archive, keyed by name without ".npy".</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The archive or an array in it is damaged, too large, or not unsigned bytes.</exception>
    public static Dictionary<string, (byte[] Data, int[] Shape)> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"NumPy archive '{path}' does not exist. Check the path.", path);
        if (Limits.RegularFile.NotRegular(path) is { } what)
            throw new InvalidDataException($"NumPy archive '{path}' is {what}, not a regular file, so it is not opened (reading it could block forever).");
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads every array of an archive held in a seekable stream; <paramref name="path"/> names it in errors.</summary>
    internal static Dictionary<string, (byte[] Data, int[] Shape)> Read(Stream stream, string path)
    {
        var arrays = new Dictionary<string, (byte[] Data, int[] Shape)>();
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            ZipEntries.RejectDuplicates(zip);
            foreach (var entry in zip.Entries)
            {
                if (!entry.Name.EndsWith(".npy", StringComparison.Ordinal)) continue;
                ZipEntries.CheckDeclaredSize(entry, LoadLimits.MaxZipEntryBytes, nameof(LoadLimits.MaxZipEntryBytes));
                using var s = ZipEntries.OpenVerified(entry);
                arrays[entry.Name[..^4]] = ReadNpy(s, $"{path}:{entry.FullName}");
                s.VerifyToEnd();
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("NumPy", StringComparison.Ordinal))
        {
            long size = stream.CanSeek ? stream.Length : -1;
            throw new InvalidDataException($"NumPy archive '{path}' ({size:N0} bytes) cannot be read as a zip file: {e.Message.TrimEnd('.')}. " +
                "It is probably truncated or damaged (an interrupted download; Keras' mnist.npz is 11,490,434 bytes): delete it and download it again.", e);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"NumPy archive '{path}' cannot be read ({e.Message}). Delete it and download it again.", e);
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
            uint declared = BinaryPrimitives.ReadUInt32LittleEndian(len);
            headerLength = declared > MaxHeaderLength ? -1 : (int)declared;
        }
        else
            throw new InvalidDataException($"NumPy array '{name}' has .npy format version {major}; versions 1, 2 and 3 are supported.");
        if (headerLength is < 0 or > MaxHeaderLength)
            throw new InvalidDataException($"NumPy array '{name}' declares a header longer than {MaxHeaderLength:N0} bytes (NumPy's own max_header_size); the file is damaged: download it again.");

        var headerBytes = new byte[headerLength];
        if (ReadFully(s, headerBytes) < headerLength) throw Truncated(name, "its header");
        string header = Encoding.Latin1.GetString(headerBytes);

        string descr = Match(DescrRegex(), header, name, "descr");
        if (descr is not ("|u1" or "<u1" or ">u1" or "u1"))
            throw new InvalidDataException($"NumPy array '{name}' has dtype '{descr}'; expected unsigned bytes ('|u1', as in Keras' mnist.npz). Save the array with .astype('uint8').");
        if (Match(FortranRegex(), header, name, "fortran_order") != "False")
            throw new InvalidDataException($"NumPy array '{name}' is stored in Fortran order; expected C order. Save it with np.ascontiguousarray(...).");
        string shapeText = Match(ShapeRegex(), header, name, "shape");
        var parts = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        long size = 1;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long d) || d > int.MaxValue)
                throw new InvalidDataException($"NumPy array '{name}' declares shape ({shapeText}); each dimension must be a whole number from 0 to {int.MaxValue:N0}. The file is damaged: download it again.");
            shape[i] = (int)d;
            if (size <= Array.MaxLength) size *= d;   // both factors are below 2^31: no overflow
        }
        if (size > Array.MaxLength)
            throw new InvalidDataException($"NumPy array '{name}' declares shape ({shapeText}), too large for one array. The file is damaged: download it again.");
        if (s.CanSeek ? size > s.Length - s.Position : s is ZipEntries.VerifiedStream v && size > v.Length - v.Position)
            throw new InvalidDataException($"NumPy array '{name}' is truncated: its header declares shape {Tensor.FormatShape(shape)}, which needs {size:N0} bytes, but fewer follow. Delete the file and download it again.");

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
