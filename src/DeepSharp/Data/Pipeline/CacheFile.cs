using System.Runtime.InteropServices;
using System.Text;

namespace DeepSharp.Data;

/// <summary>
/// The file format of <see cref="Dataset.Cache"/>: "DSCACHE1", then per element a tag byte 1, the input tensor and
/// (tag byte 1 or 0) the target tensor, each as rank, dims (int32) and float32 values (little-endian); then tag 0 and the
/// element count (int64). Every declared size is checked against the bytes left in the file before anything is
/// allocated, and errors name the file.
/// </summary>
internal static class CacheFile
{
    private static readonly byte[] Magic = "DSCACHE1"u8.ToArray();
    private const int MaxRank = 16;

    /// <summary>The element count from the end of a complete cache file, or -2 (unknown) when it cannot be read.</summary>
    public static long Count(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (fs.Length < Magic.Length + 9) return Dataset.UnknownCardinality;
            fs.Seek(-8, SeekOrigin.End);
            Span<byte> b = stackalloc byte[8];
            fs.ReadExactly(b);
            long n = BitConverter.ToInt64(b);
            return n >= 0 ? n : Dataset.UnknownCardinality;
        }
        catch (IOException) { return Dataset.UnknownCardinality; }
    }

    internal sealed class Writer : IDisposable
    {
        private readonly string _path, _temporary;
        private BinaryWriter? _writer;
        private long _count;

        public Writer(string path)
        {
            _path = path;
            _temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            _writer = new BinaryWriter(new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), Encoding.UTF8, leaveOpen: false);
            _writer.Write(Magic);
        }

        public void Append(Element e)
        {
            var w = _writer ?? throw new ObjectDisposedException(nameof(Writer));
            w.Write((byte)1);
            WriteTensor(w, e.X);
            w.Write((byte)(e.Y is null ? 0 : 1));
            if (e.Y is not null) WriteTensor(w, e.Y);
            _count++;
        }

        private static void WriteTensor(BinaryWriter w, Tensor t)
        {
            w.Write(t.Rank);
            foreach (int d in t.Shape) w.Write(d);
            w.Write(MemoryMarshal.AsBytes(t.Span));
        }

        /// <summary>Ends the file and renames it into place (replacing a cache another pass wrote meanwhile).</summary>
        public void Commit()
        {
            var w = _writer ?? throw new ObjectDisposedException(nameof(Writer));
            w.Write((byte)0);
            w.Write(_count);
            w.Flush();
            ((FileStream)w.BaseStream).Flush(flushToDisk: true);
            w.Dispose();
            _writer = null;
            File.Move(_temporary, _path, overwrite: true);
        }

        public void Dispose()
        {
            _writer?.Dispose();
            _writer = null;
            if (File.Exists(_temporary)) File.Delete(_temporary);
        }
    }

    internal sealed class Reader : DatasetIterator
    {
        private readonly string _path;
        private readonly BinaryReader _reader;
        private readonly long _length;
        private long _count;
        private bool _done;

        public Reader(string path)
        {
            _path = path;
            var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            _length = fs.Length;
            _reader = new BinaryReader(fs, Encoding.UTF8, leaveOpen: false);
            var magic = _length >= Magic.Length ? _reader.ReadBytes(Magic.Length) : [];
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                _reader.Dispose();
                throw Damaged("it does not start with the cache header (not a DeepSharp dataset cache)");
            }
        }

        private DatasetException Damaged(string what) =>
            new($"Dataset cache file '{_path}' cannot be read: {what}. Delete it; the next complete pass writes it again.");

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            cancellationToken.ThrowIfCancellationRequested();
            element = default;
            if (_done) return false;
            try
            {
                byte tag = _reader.ReadByte();
                if (tag == 0)
                {
                    long declared = _reader.ReadInt64();
                    if (declared != _count || _reader.BaseStream.Position != _length)
                        throw Damaged($"it ends after {_count} elements but declares {declared}");
                    _done = true;
                    return false;
                }
                if (tag != 1) throw Damaged($"element {_count} starts with byte {tag}, not 1");
                var x = ReadTensor();
                byte hasY = _reader.ReadByte();
                if (hasY > 1) throw Damaged($"element {_count} has a target flag {hasY}, not 0 or 1");
                element = new Element(x, hasY == 1 ? ReadTensor() : null);
                _count++;
                return true;
            }
            catch (EndOfStreamException)
            {
                throw Damaged($"it ends inside element {_count} (truncated)");
            }
        }

        private Tensor ReadTensor()
        {
            int rank = _reader.ReadInt32();
            if (rank is < 0 or > MaxRank) throw Damaged($"element {_count} declares rank {rank} (0 .. {MaxRank} expected)");
            var shape = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++)
            {
                shape[i] = _reader.ReadInt32();
                if (shape[i] < 0) throw Damaged($"element {_count} declares a negative dimension {shape[i]}");
                size *= shape[i];
                if (size * 4 > _length - _reader.BaseStream.Position)
                    throw Damaged($"element {_count} declares shape ({string.Join(", ", shape[..(i + 1)])}, ...), more values than the file holds");
            }
            var t = new Tensor(GC.AllocateUninitializedArray<float>((int)size), shape);
            _reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(t.Span));
            return t;
        }

        public override void Dispose() => _reader.Dispose();
    }
}
