using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace DeepSharp.Data;

/// <summary>
/// Writes a NumPy <c>.npz</c> archive (<c>numpy.load</c> reads it): float32 tensors, int32 vectors and string vectors
/// (NumPy's fixed-width unicode <c>&lt;U</c>n), each a <c>.npy</c> entry (format 1.0, C order, little-endian), stored
/// uncompressed as <c>numpy.savez</c> does. The archive is written under a temporary name and renamed.
/// </summary>
/// <example><code>
/// new NpzWriter().Add("features", features).Add("labels", labels).Add("class_names", ["cats", "dogs"]).Save("features.npz");
/// // Python: d = numpy.load("features.npz"); d["features"].shape
/// </code></example>
public sealed class NpzWriter
{
    private readonly List<(string Name, byte[] Npy)> _entries = new();

    /// <summary>Adds a float32 array with the tensor's shape.</summary>
    public NpzWriter Add(string name, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var bytes = new byte[values.Size * 4];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.Span).CopyTo(bytes);
        return AddEntry(name, "<f4", values.ShapeArray, bytes);
    }

    /// <summary>Adds an int32 vector.</summary>
    public NpzWriter Add(string name, IReadOnlyList<int> values)
    {
        var bytes = new byte[values.Count * 4];
        for (int i = 0; i < values.Count; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        return AddEntry(name, "<i4", [values.Count], bytes);
    }

    /// <summary>Adds a vector of strings as NumPy's fixed-width unicode (UTF-32, padded with zeros).</summary>
    public NpzWriter Add(string name, IReadOnlyList<string> values)
    {
        int width = Math.Max(1, values.Count == 0 ? 1 : values.Max(v => v.EnumerateRunes().Count()));
        var bytes = new byte[values.Count * width * 4];
        for (int i = 0; i < values.Count; i++)
        {
            int k = 0;
            foreach (var rune in values[i].EnumerateRunes())
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((i * width + k++) * 4), rune.Value);
        }
        return AddEntry(name, $"<U{width}", [values.Count], bytes);
    }

    private NpzWriter AddEntry(string name, string descr, int[] shape, byte[] data)
    {
        if (string.IsNullOrEmpty(name) || name.IndexOfAny(['/', '\\']) >= 0)
            throw new ArgumentException($"NpzWriter: array name '{name}' must be non-empty and contain no path separators.", nameof(name));
        if (_entries.Any(e => e.Name == name)) throw new ArgumentException($"NpzWriter: an array named '{name}' was already added.", nameof(name));
        string dims = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}";
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;                        // NumPy aligns the data to 64 bytes
        string header = dict + new string(' ', padded - total) + "\n";
        var npy = new byte[10 + header.Length + data.Length];
        npy[0] = 0x93;
        "NUMPY"u8.CopyTo(npy.AsSpan(1));
        npy[6] = 1;
        npy[7] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(npy.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header).CopyTo(npy, 10);
        data.CopyTo(npy, 10 + header.Length);
        _entries.Add((name, npy));
        return this;
    }

    /// <summary>Writes the archive to <paramref name="path"/> (temporary name, then renamed).</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Cannot write '{path}': the folder '{dir}' does not exist. Create it first.");
        string tmp = $"{full}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew))
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
                foreach (var (name, npy) in _entries)
                {
                    using var s = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
                    s.Write(npy);
                }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
