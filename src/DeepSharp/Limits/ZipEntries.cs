using System.IO.Compression;
using System.IO.Hashing;

namespace DeepSharp.Limits;

/// <summary>
/// Reads zip entries (of <c>.keras</c> and <c>.npz</c> files) safely: the declared size is checked against
/// <see cref="LoadLimits"/> before anything is allocated, no more bytes than declared are ever read, and the CRC-32
/// recorded in the archive is verified (System.IO.Compression does not check it). Errors are
/// <see cref="InvalidDataException"/>s that name the entry; callers add the file name.
/// </summary>
internal static class ZipEntries
{
    /// <summary>Throws when an archive holds the same entry name twice (readers would disagree about which one counts).</summary>
    public static void RejectDuplicates(ZipArchive zip)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in zip.Entries)
            if (!seen.Add(e.FullName))
                throw new InvalidDataException($"the archive holds two entries named '{e.FullName}'; a valid archive has each name once (was it edited by hand?).");
    }

    /// <summary>Checks the entry's declared sizes against the limits (no allocation).</summary>
    public static void CheckDeclaredSize(ZipArchiveEntry entry, long limit, string limitName)
    {
        if (entry.Length < 0 || entry.Length > limit)
            throw new InvalidDataException($"entry '{entry.FullName}' declares {entry.Length:N0} uncompressed bytes, more than the limit of {limit:N0} " +
                $"(LoadLimits.{limitName}); raise the limit if the file is genuine.");
        if (entry.CompressedLength > 0 && entry.Length > 4096 && entry.Length / entry.CompressedLength > LoadLimits.MaxCompressionRatio)
            throw new InvalidDataException($"entry '{entry.FullName}' expands {entry.CompressedLength:N0} compressed bytes to {entry.Length:N0} " +
                $"(more than {LoadLimits.MaxCompressionRatio}:1, LoadLimits.MaxCompressionRatio): a zip bomb or a damaged archive.");
    }

    /// <summary>Reads the whole entry into an array of its declared size and verifies its CRC-32.</summary>
    public static byte[] ReadAll(ZipArchiveEntry entry, long limit, string limitName)
    {
        CheckDeclaredSize(entry, limit, limitName);
        using var s = OpenVerified(entry);
        var bytes = GC.AllocateUninitializedArray<byte>((int)entry.Length);
        int got = s.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (got < bytes.Length)
            throw new InvalidDataException($"entry '{entry.FullName}' is truncated: {got:N0} of its {entry.Length:N0} bytes are there.");
        s.VerifyToEnd();
        return bytes;
    }

    /// <summary>Opens the entry as a stream that never returns more than the declared size and checks the CRC-32 at the end.</summary>
    public static VerifiedStream OpenVerified(ZipArchiveEntry entry)
    {
        Stream inner;
        try { inner = entry.Open(); }
        catch (Exception e) when (e is NotSupportedException or IOException)
        {
            throw new InvalidDataException($"entry '{entry.FullName}' cannot be opened ({e.Message}).", e);
        }
        return new VerifiedStream(inner, entry.FullName, entry.Length, entry.Crc32);
    }

    /// <summary>A read-only stream over one entry: bounded by the declared length, CRC-32 checked when the end is reached.</summary>
    internal sealed class VerifiedStream(Stream inner, string name, long length, uint crc) : Stream
    {
        private readonly Crc32 _crc = new();
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long left = length - _read;
            if (left <= 0 || buffer.Length == 0) return 0;
            if (buffer.Length > left) buffer = buffer[..(int)left];
            int n;
            try { n = inner.Read(buffer); }
            catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
            {
                throw new InvalidDataException($"entry '{name}' is damaged ({e.Message}).", e);
            }
            _crc.Append(buffer[..n]);
            _read += n;
            if (n == 0)
                throw new InvalidDataException($"entry '{name}' is truncated: {_read:N0} of its {length:N0} bytes are there.");
            if (_read == length) CheckCrc();
            return n;
        }

        /// <summary>Reads what the caller left unread and checks the size and CRC-32.</summary>
        public void VerifyToEnd()
        {
            Span<byte> scratch = stackalloc byte[8192];
            while (_read < length)
                if (Read(scratch) == 0) break;
            if (length == 0) CheckCrc();
            Span<byte> extra = stackalloc byte[1];
            int more;
            try { more = inner.Read(extra); }
            catch (Exception e) when (e is InvalidDataException or IOException) { throw new InvalidDataException($"entry '{name}' is damaged ({e.Message}).", e); }
            if (more != 0)
                throw new InvalidDataException($"entry '{name}' holds more than the {length:N0} bytes it declares.");
        }

        private void CheckCrc()
        {
            uint got = _crc.GetCurrentHashAsUInt32();
            if (got != crc)
                throw new InvalidDataException($"entry '{name}' fails its CRC-32 check (recorded {crc:X8}, computed {got:X8}): the file was damaged after it was written.");
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
