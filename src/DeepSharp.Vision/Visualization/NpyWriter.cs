using System.Text;

namespace DeepSharp.Vision;

/// <summary>Writes a float32 array as a NumPy .npy file (format 1.0, little-endian, C order), read by <c>numpy.load</c>.</summary>
internal static class NpyWriter
{
    public static void Write(string path, ReadOnlySpan<float> values, params int[] shape)
    {
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = 10 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        ms.Write(BitConverter.GetBytes((ushort)header.Length));
        ms.Write(Encoding.ASCII.GetBytes(header));
        foreach (float v in values) ms.Write(BitConverter.GetBytes(v));
        ImageIO.WriteAtomically(path, ms.ToArray());
    }
}
