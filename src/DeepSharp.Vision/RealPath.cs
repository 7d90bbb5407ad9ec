using System.Runtime.InteropServices;

namespace DeepSharp.Vision;

/// <summary>The canonical path of a folder, all links resolved (POSIX realpath), to recognise a folder reached twice.</summary>
internal static partial class RealPath
{
    public static string Of(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                IntPtr p = realpath(path, IntPtr.Zero);
                if (p != IntPtr.Zero)
                {
                    try { return Marshal.PtrToStringUTF8(p) ?? Path.GetFullPath(path); }
                    finally { Marshal.FreeHGlobal(p); }
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        }
        var full = Path.GetFullPath(path);
        return new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);
}
