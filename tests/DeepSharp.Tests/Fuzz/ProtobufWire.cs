namespace DeepSharp.Tests.Fuzz;

/// <summary>
/// Protobuf wire format as a tree, for size-field mutations of .onnx files: every length-delimited field (a nested
/// message, a string, a packed array, raw tensor bytes) can be re-encoded with a false length — either alone (the
/// enclosing messages keep their lengths, as a byte-level edit would) or with every enclosing length fixed up, so the
/// lie is seen only by the innermost parser. Knows nothing of ONNX: payloads that parse cleanly as messages are
/// treated as messages (a string that happens to parse is harmless: it is written back byte for byte).
/// </summary>
internal sealed class ProtobufWire
{
    /// <summary>One field: its tag, and either its scalar bytes or its length-delimited payload (with children if it parses as a message).</summary>
    public sealed class Field
    {
        public required ulong Tag { get; init; }
        public required byte[] Value { get; init; }          // scalar: the encoded value; length-delimited: the payload
        public List<Field>? Children { get; init; }
        public int WireType => (int)(Tag & 7);
    }

    private const int MaxDepth = 10;

    /// <summary>Parses a message; null when the bytes are not a well-formed sequence of fields.</summary>
    public static List<Field>? Parse(ReadOnlySpan<byte> data, int depth = 0)
    {
        var fields = new List<Field>();
        int pos = 0;
        while (pos < data.Length)
        {
            if (!TryVarint(data, ref pos, out ulong tag) || tag >> 3 == 0) return null;
            int start = pos;
            switch ((int)(tag & 7))
            {
                case 0: if (!TryVarint(data, ref pos, out _)) return null; break;
                case 1: pos += 8; break;
                case 5: pos += 4; break;
                case 2:
                {
                    if (!TryVarint(data, ref pos, out ulong len) || len > (ulong)(data.Length - pos)) return null;
                    var payload = data.Slice(pos, (int)len).ToArray();
                    pos += (int)len;
                    var children = depth < MaxDepth && payload.Length > 0 ? Parse(payload, depth + 1) : null;
                    fields.Add(new Field { Tag = tag, Value = payload, Children = children });
                    continue;
                }
                default: return null;   // groups are not used by ONNX
            }
            if (pos > data.Length) return null;
            fields.Add(new Field { Tag = tag, Value = data[start..pos].ToArray() });
        }
        return fields;
    }

    /// <summary>Every length-delimited field of the tree, depth first.</summary>
    public static List<Field> LengthFields(List<Field> fields)
    {
        var result = new List<Field>();
        foreach (var f in fields)
            if (f.WireType == 2)
            {
                result.Add(f);
                if (f.Children is not null) result.AddRange(LengthFields(f.Children));
            }
        return result;
    }

    /// <summary>
    /// Writes the tree back, with <paramref name="target"/>'s length written as <paramref name="declared"/>. With
    /// <paramref name="fixEnclosing"/> the enclosing messages' lengths count the re-encoded bytes; otherwise they keep
    /// their original values.
    /// </summary>
    public static byte[] Write(List<Field> fields, Field? target = null, ulong declared = 0, bool fixEnclosing = true)
    {
        using var ms = new MemoryStream();
        WriteTo(ms, fields, target, declared, fixEnclosing);
        return ms.ToArray();
    }

    private static void WriteTo(Stream s, List<Field> fields, Field? target, ulong declared, bool fixEnclosing)
    {
        foreach (var f in fields)
        {
            WriteVarint(s, f.Tag);
            if (f.WireType != 2) { s.Write(f.Value); continue; }
            byte[] payload = f.Children is not null ? Write(f.Children, target, declared, fixEnclosing) : f.Value;
            ulong length = ReferenceEquals(f, target) ? declared : fixEnclosing ? (ulong)payload.Length : (ulong)f.Value.Length;
            WriteVarint(s, length);
            s.Write(payload);
        }
    }

    private static bool TryVarint(ReadOnlySpan<byte> data, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && pos < data.Length; shift += 7)
        {
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }
}
