using System.Buffers.Binary;

namespace DeepSharp.Tests.Fuzz;

/// <summary>
/// A seeded mutation fuzzer's mutations, as in AFL's havoc stage: bit flips, interesting bytes, truncation, splices (a
/// chunk copied from elsewhere in the input or from another seed file), insertions and deletions, and size-field
/// inflation (a 2-, 4- or 8-byte field, either endianness, set to a huge or negative value). Deterministic per seed.
/// </summary>
internal sealed class Mutator(int seed, IReadOnlyList<byte[]> seeds)
{
    private readonly Random _random = new(seed);

    private static readonly ulong[] Huge =
        [0, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x4000_0000, 0x7FFF_FFFF_FFFF_FFFF, ulong.MaxValue, 2_000_000_000, 65536];

    /// <summary>The kind of the last mutation (for the failure message).</summary>
    public string LastKind { get; private set; } = "";

    /// <summary>A mutant of a randomly chosen seed: 1 to 4 stacked mutations.</summary>
    public byte[] Next()
    {
        var data = seeds[_random.Next(seeds.Count)].ToArray();
        int rounds = 1 + _random.Next(4);
        var kinds = new List<string>();
        for (int r = 0; r < rounds; r++) data = MutateOnce(data, kinds);
        LastKind = string.Join("+", kinds);
        return data;
    }

    private byte[] MutateOnce(byte[] data, List<string> kinds)
    {
        if (data.Length == 0) { kinds.Add("empty"); return data; }
        switch (_random.Next(7))
        {
            case 0:   // flip 1..8 bits
            {
                kinds.Add("bitflip");
                int n = 1 + _random.Next(8);
                for (int i = 0; i < n; i++) data[_random.Next(data.Length)] ^= (byte)(1 << _random.Next(8));
                return data;
            }
            case 1:   // interesting byte values
            {
                kinds.Add("byte");
                byte[] values = [0, 1, 0x7F, 0x80, 0xFF];
                data[_random.Next(data.Length)] = values[_random.Next(values.Length)];
                return data;
            }
            case 2:   // truncate
                kinds.Add("truncate");
                return data[.._random.Next(data.Length)];
            case 3:   // splice a chunk from this input or another seed over a random place
            {
                kinds.Add("splice");
                var donor = _random.Next(2) == 0 ? data : seeds[_random.Next(seeds.Count)];
                if (donor.Length == 0) return data;
                int len = 1 + _random.Next(Math.Min(256, donor.Length));
                int from = _random.Next(donor.Length - len + 1), to = _random.Next(data.Length);
                len = Math.Min(len, data.Length - to);
                Array.Copy(donor, from, data, to, len);
                return data;
            }
            case 4:   // insert random bytes
            {
                kinds.Add("insert");
                int at = _random.Next(data.Length + 1), len = 1 + _random.Next(32);
                var extra = new byte[len];
                _random.NextBytes(extra);
                return [.. data[..at], .. extra, .. data[at..]];
            }
            case 5:   // delete a run
            {
                kinds.Add("delete");
                int at = _random.Next(data.Length), len = 1 + _random.Next(Math.Min(64, data.Length - at));
                return [.. data[..at], .. data[(at + len)..]];
            }
            default:  // inflate a size field
            {
                kinds.Add("size");
                int width = new[] { 2, 4, 8 }[_random.Next(3)];
                if (data.Length < width) return data;
                int at = _random.Next(data.Length - width + 1);
                ulong v = Huge[_random.Next(Huge.Length)];
                var span = data.AsSpan(at, width);
                bool big = _random.Next(2) == 0;
                switch (width)
                {
                    case 2: if (big) BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)v); break;
                    case 4: if (big) BinaryPrimitives.WriteUInt32BigEndian(span, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)v); break;
                    default: if (big) BinaryPrimitives.WriteUInt64BigEndian(span, v); else BinaryPrimitives.WriteUInt64LittleEndian(span, v); break;
                }
                return data;
            }
        }
    }
}
