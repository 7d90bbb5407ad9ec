using System.Runtime.InteropServices;

namespace DeepSharp.Limits;

/// <summary>
/// Tells whether a path (links followed) is a regular file, before anything opens it: a FIFO named <c>x.jpg</c> or
/// <c>model.keras</c> would block the reader forever, a character device such as <c>/dev/zero</c> never ends, a socket
/// cannot be read. .NET does not say (a FIFO's <see cref="FileSystemInfo.Attributes"/> are <c>Normal</c>, as a regular
/// file's, and <see cref="FileInfo.Length"/> of a link is the link's own), so on Linux the type comes from
/// <c>statx(2)</c>, whose layout is the same on every architecture. Elsewhere the final link target's size is used:
/// pipes, sockets and devices report 0 bytes. Every reader of DeepSharp (and DeepSharp.Vision's image reader) asks it
/// before opening a file.
/// </summary>
/// <example><code>
/// if (RegularFile.NotRegular(path) is { } what)
///     throw new IOException($"'{path}' is {what}, not a regular file; it is never opened.");
/// </code></example>
public static partial class RegularFile
{
    private const int AtFdCwd = -100, StatxType = 0x1, ModeOffset = 28, StatxSize = 256;
    private const int TypeMask = 0xF000, Fifo = 0x1000, CharDevice = 0x2000, Directory = 0x4000, BlockDevice = 0x6000, Regular = 0x8000, Socket = 0xC000;

    private static bool _noStatx = !OperatingSystem.IsLinux();

    /// <summary>
    /// Null when <paramref name="path"/> is a regular file (or does not exist: the caller reports that); otherwise
    /// what it is instead, as words for an error message ("a FIFO (named pipe)").
    /// </summary>
    public static string? NotRegular(string path)
    {
        if (!_noStatx)
        {
            try
            {
                Span<byte> buffer = stackalloc byte[StatxSize];
                if (statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0) return null;   // missing or unreadable: the open reports it
                return (BitConverter.ToUInt16(buffer[ModeOffset..]) & TypeMask) switch
                {
                    Regular => null,
                    Fifo => "a FIFO (named pipe)",
                    CharDevice => "a character device",
                    BlockDevice => "a block device",
                    Socket => "a socket",
                    Directory => "a folder",
                    _ => "not a regular file",
                };
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _noStatx = true;   // a libc without statx (glibc < 2.28, old musl): fall back to sizes
            }
        }
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        var target = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
        return target.Exists && target.Length == 0 ? "empty or not a regular file (a pipe, socket or device)" : null;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
