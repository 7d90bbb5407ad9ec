using System.Net.Sockets;
using System.Runtime.InteropServices;
using DeepSharp.Data;
using DeepSharp.Limits;
using DeepSharp.Models;
using DeepSharp.Onnx;
using DeepSharp.Saving;
using DeepSharp.Tests.Data;

namespace DeepSharp.Tests.Limits;

/// <summary>
/// Only regular files are opened: a real FIFO, a socket and a link to /dev/null named like model or data files are
/// refused before anything opens them (opening a FIFO blocks until a writer appears; a link's own size is not 0, so
/// the old size check let a link to a FIFO through). Linux only (where statx tells the type; the tests need mkfifo).
/// </summary>
public partial class RegularFileTests
{
    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    private static string Fifo(TempFolder dir, string name)
    {
        string path = dir.File(name);
        Assert.Equal(0, MkFifo(path, 0b110_100_100));   // 0644
        return path;
    }

    /// <summary>Runs <paramref name="load"/> on another thread; a load that blocks on the FIFO fails the test (and is released by a writer).</summary>
    private static T NotBlocking<T>(string fifo, Func<T> load)
    {
        var task = Task.Run(load);
        if (!task.Wait(10_000))
        {
            File.WriteAllBytes(fifo, []);   // opens the FIFO for writing: the blocked reader gets end-of-file
            Assert.Fail($"reading '{fifo}' blocked");
        }
        return task.Result;
    }

    [Fact]
    public void TellsFifosSocketsDevicesAndFoldersFromRegularFiles()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("regular.bin"), [1, 2, 3]);
        File.WriteAllBytes(dir.File("empty.bin"), []);
        File.CreateSymbolicLink(dir.File("link.bin"), dir.File("regular.bin"));
        File.CreateSymbolicLink(dir.File("null.bin"), "/dev/null");
        string fifo = Fifo(dir, "fifo.bin");
        File.CreateSymbolicLink(dir.File("fifo-link.bin"), fifo);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(dir.File("socket.bin")));

        Assert.Null(RegularFile.NotRegular(dir.File("regular.bin")));
        Assert.Null(RegularFile.NotRegular(dir.File("empty.bin")));     // regular: its emptiness is the reader's to report
        Assert.Null(RegularFile.NotRegular(dir.File("link.bin")));
        Assert.Null(RegularFile.NotRegular(dir.File("missing.bin")));   // the open reports it
        Assert.Equal("a FIFO (named pipe)", RegularFile.NotRegular(fifo));
        Assert.Equal("a FIFO (named pipe)", RegularFile.NotRegular(dir.File("fifo-link.bin")));
        Assert.Equal("a character device", RegularFile.NotRegular(dir.File("null.bin")));
        Assert.Equal("a socket", RegularFile.NotRegular(dir.File("socket.bin")));
        Assert.Equal("a folder", RegularFile.NotRegular(dir.Path));
        Assert.NotEqual(0, new FileInfo(dir.File("fifo-link.bin")).Length);   // why a size check is not enough
    }

    [Fact]
    public void ModelAndDataReadersRefuseAFifoInsteadOfBlocking()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempFolder();
        var keras = Fifo(dir, "model.keras");
        var e = NotBlocking(keras, () => Assert.Throws<ModelFileException>(() => Model.Load(keras)));
        Assert.Contains("model.keras", e.Message);
        Assert.Contains("FIFO", e.Message);

        var onnx = Fifo(dir, "model.onnx");
        Assert.Contains("FIFO", NotBlocking(onnx, () => Assert.Throws<ModelFileException>(() => OnnxModel.Load(onnx))).Message);

        var idx = Fifo(dir, "train-images-idx3-ubyte");
        Assert.Contains("FIFO", NotBlocking(idx, () => Assert.Throws<InvalidDataException>(() => IdxFile.Read(idx))).Message);

        var npz = Fifo(dir, "mnist.npz");
        Assert.Contains("FIFO", NotBlocking(npz, () => Assert.Throws<InvalidDataException>(() => NpzFile.Read(npz))).Message);
    }

    [Fact]
    public void ALinkToAFifoOrADeviceIsRefusedToo()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempFolder();
        var fifo = Fifo(dir, "real-fifo");
        File.CreateSymbolicLink(dir.File("model.keras"), fifo);
        var e = NotBlocking(fifo, () => Assert.Throws<ModelFileException>(() => Model.Load(dir.File("model.keras"))));
        Assert.Contains("FIFO", e.Message);

        File.CreateSymbolicLink(dir.File("null.keras"), "/dev/null");   // the link's own size is 9 bytes
        Assert.Contains("a character device", Assert.Throws<ModelFileException>(() => Model.Load(dir.File("null.keras"))).Message);
    }
}
