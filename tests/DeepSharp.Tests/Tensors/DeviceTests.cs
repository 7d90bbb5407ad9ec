namespace DeepSharp.Tests.Tensors;

/// <summary>
/// Tensors on a device: CPU by default, explicit host copies on every device, and a span only on the CPU. The second
/// device is a real implementation of the extension point (values in memory the host reaches only through copies),
/// as a GPU assembly would add one.
/// </summary>
public class DeviceTests
{
    /// <summary>A device whose storage the host cannot address: every access goes through CopyFrom/CopyTo.</summary>
    private sealed class OffHostDevice() : Device("offhost:0")
    {
        public int Copies;
        public override TensorStorage Allocate(int length) => new Storage(this, length);

        private sealed class Storage(OffHostDevice device, int length) : TensorStorage(device, length)
        {
            private readonly double[] _values = new double[length];   // another layout than the host's, on purpose

            public override void CopyFrom(ReadOnlySpan<float> source, int offset)
            {
                CheckRange(offset, source.Length);
                device.Copies++;
                for (int i = 0; i < source.Length; i++) _values[offset + i] = source[i];
            }

            public override void CopyTo(int offset, Span<float> destination)
            {
                CheckRange(offset, destination.Length);
                device.Copies++;
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)_values[offset + i];
            }
        }
    }

    [Fact]
    public void TensorsAreOnTheCpuByDefault()
    {
        var t = new Tensor(2, 3);
        Assert.Same(Device.Cpu, t.Device);
        Assert.Equal("cpu", t.Device.Name);
        Assert.Same(Device.Cpu, Tensor.FromArray([1f, 2f], 2).Device);
        Assert.Same(t, t.To(Device.Cpu));
        Assert.Equal(6, t.Storage.Length);
        Assert.Same(Device.Cpu, t.Storage.Device);
    }

    [Fact]
    public void FromArrayCopiesAndToArrayCopiesBack()
    {
        float[] values = [1f, 2f, 3f, 4f, 5f, 6f];
        var t = Tensor.FromArray(values, 2, 3);
        values[0] = 100f;
        Assert.Equal(1f, t[0, 0]);
        var back = t.ToArray();
        back[1] = 200f;
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], t.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f, 3f], 2, 2));
        Assert.Contains("3 values", ex.Message);
        Assert.Contains("(2, 2)", ex.Message);
    }

    [Fact]
    public void CopyToAndCopyFromCheckTheirLengths()
    {
        var t = new Tensor(2, 2);
        t.CopyFrom([1f, 2f, 3f, 4f]);
        Assert.Equal(4f, t[1, 1]);
        Span<float> buffer = stackalloc float[5];
        t.CopyTo(buffer);
        Assert.Equal([1f, 2f, 3f, 4f, 0f], buffer.ToArray());
        Assert.Contains("holds 4", Assert.Throws<ArgumentException>(() => t.CopyFrom([1f, 2f])).Message);
        Assert.Contains("room for 4", Assert.Throws<ArgumentException>(() => t.CopyTo(new float[3])).Message);
        t.Span[0] = 9f;
        Assert.Equal(9f, t.ToArray()[0]);
        t.AsSpan()[1] = 8f;
        Assert.Equal(8f, t[0, 1]);
    }

    [Fact]
    public void ATensorOnAnotherDeviceCopiesButGivesNoSpan()
    {
        var device = new OffHostDevice();
        var cpu = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var t = cpu.To(device);
        Assert.Same(device, t.Device);
        Assert.Same(device, t.Storage.Device);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], t.ToArray());

        var ex = Assert.Throws<InvalidOperationException>(() => t.Span.Fill(0f));
        Assert.Contains("'offhost:0'", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("ToArray()", ex.Message);
        Assert.Contains("To(Device.Cpu)", ex.Message);
        Assert.Contains("Tensor.AsSpan reads", Assert.Throws<InvalidOperationException>(() => t.AsSpan().Clear()).Message);
        Assert.Contains("offhost:0", Assert.Throws<InvalidOperationException>(() => t[0, 0]).Message);
        Assert.Contains("offhost:0", Assert.Throws<InvalidOperationException>(() => t / 2f).Message);
        Assert.Equal("Tensor(2, 3) on offhost:0", t.ToString());

        t.CopyFrom([6f, 5f, 4f, 3f, 2f, 1f]);
        var back = t.To(Device.Cpu);
        Assert.Same(Device.Cpu, back.Device);
        Assert.Equal([6f, 5f, 4f, 3f, 2f, 1f], back.Span.ToArray());
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], cpu.ToArray());   // the source was copied, not shared
    }

    [Fact]
    public void ReshapeSharesTheDeviceStorageAndCloneCopiesIt()
    {
        var device = new OffHostDevice();
        var t = new Tensor(device, 2, 3);
        Assert.Equal(new float[6], t.ToArray());
        var flat = t.Reshape(-1);
        Assert.Same(t.Storage, flat.Storage);
        Assert.Equal([6], flat.Shape.ToArray());
        var copy = t.Clone();
        Assert.Same(device, copy.Device);
        Assert.NotSame(t.Storage, copy.Storage);
        flat.CopyFrom([1f, 2f, 3f, 4f, 5f, 6f]);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], t.ToArray());
        Assert.Equal(new float[6], copy.ToArray());
    }

    [Fact]
    public void ATensorOverStorageViewsItWithoutCopying()
    {
        var storage = Device.Cpu.Allocate(6);
        var a = new Tensor(storage, 2, 3);
        var b = new Tensor(storage, 4);                            // storage may be longer than the tensor
        a.Span[1] = 7f;
        Assert.Equal(7f, b[1]);
        Assert.Contains("needs 8", Assert.Throws<ArgumentException>(() => new Tensor(storage, 2, 4)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.CopyFrom([1f, 2f], offset: 5));
    }
}
