using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;

namespace DeepSharp.Tests.Backends;

[Collection("GemmPath")]   // it changes the CPU backend's options, which every kernel reads
public class CpuBackendOptionsTests
{
    [Fact]
    public void SettersRefuseValuesOutOfRangeWithTheirName()
    {
        var o = new CpuBackendOptions();
        Assert.Contains("Threads must be at least 1, got 0", Assert.Throws<ArgumentOutOfRangeException>(() => o.Threads = 0).Message);
        Assert.Contains("SparseBackwardMaxDensity", Assert.Throws<ArgumentOutOfRangeException>(() => o.SparseBackwardMaxDensity = 1.5).Message);
        Assert.Contains("WinogradMinChannels", Assert.Throws<ArgumentOutOfRangeException>(() => o.WinogradMinChannels = 0).Message);
        Assert.Contains("WinogradThreadChunkFloats", Assert.Throws<ArgumentOutOfRangeException>(() => o.WinogradThreadChunkFloats = -1).Message);
        Assert.Throws<ArgumentNullException>(() => Backend.Cpu.Options = null!);
        foreach (var w in (VectorWidth[])[VectorWidth.W512, VectorWidth.W256, VectorWidth.W128])
            if (!VectorPaths.IsAccelerated(w))
                Assert.Contains("not accelerated", Assert.Throws<PlatformNotSupportedException>(() => o.VectorWidth = w).Message);
    }

    [Fact]
    public void EachWidthGetsItsOwnMeasuredDefaults()
    {
        Assert.Equal(VectorPaths.Hardware, new CpuBackendOptions().VectorWidth);
        foreach (var w in (VectorWidth[])[VectorWidth.W512, VectorWidth.W256, VectorWidth.W128, VectorWidth.Scalar])
        {
            if (!VectorPaths.IsAccelerated(w))
            {
                Assert.Contains("not accelerated", Assert.Throws<PlatformNotSupportedException>(() => new CpuBackendOptions(w)).Message);
                continue;
            }
            var o = new CpuBackendOptions(w);
            var d = WidthDefaults.For(w);
            Assert.Equal(w, o.VectorWidth);
            Assert.Equal(d.WinogradMinChannels, o.WinogradMinChannels);
            Assert.Equal(d.WinogradKernelGradient, o.WinogradKernelGradient);
            Assert.Equal(d.WinogradThreadChunkFloats, o.WinogradThreadChunkFloats);
            Assert.Equal(d.SparseBackwardMaxDensity, o.SparseBackwardMaxDensity);
            Assert.Equal(d.ImplicitInputGradient, o.ImplicitInputGradient);
        }
        // Every vector width has the sparse backward, which pays at each (measured); the scalar loops do not.
        Assert.True(WidthDefaults.For(VectorWidth.W512).SparseBackwardMaxDensity > 0);
        Assert.Equal(0, WidthDefaults.For(VectorWidth.Scalar).SparseBackwardMaxDensity);
    }

    [Fact]
    public void EnvironmentVariablesSetTheDefaultsAndBadOnesAreNamed()
    {
        string?[] saved = [Environment.GetEnvironmentVariable("DEEPSHARP_WINOGRAD"), Environment.GetEnvironmentVariable("DEEPSHARP_SPARSE_DENSITY"), Environment.GetEnvironmentVariable("DEEPSHARP_THREADS")];
        try
        {
            Environment.SetEnvironmentVariable("DEEPSHARP_WINOGRAD", "0");
            Environment.SetEnvironmentVariable("DEEPSHARP_SPARSE_DENSITY", "0.45");
            Environment.SetEnvironmentVariable("DEEPSHARP_THREADS", "3");
            var o = CpuBackendOptions.FromEnvironment();
            Assert.False(o.Winograd);
            Assert.Equal(0.45, o.SparseBackwardMaxDensity);
            Assert.Equal(3, o.Threads);
            Assert.True(new CpuBackendOptions().Winograd);   // the constructor reads no variable
            Environment.SetEnvironmentVariable("DEEPSHARP_THREADS", "two");
            var e = Assert.Throws<ArgumentException>(CpuBackendOptions.FromEnvironment);
            Assert.Contains("DEEPSHARP_THREADS='two'", e.Message);
            Environment.SetEnvironmentVariable("DEEPSHARP_THREADS", null);
            Environment.SetEnvironmentVariable("DEEPSHARP_WINOGRAD", "yes");
            Assert.Contains("DEEPSHARP_WINOGRAD='yes' is not a switch", Assert.Throws<ArgumentException>(CpuBackendOptions.FromEnvironment).Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DEEPSHARP_WINOGRAD", saved[0]);
            Environment.SetEnvironmentVariable("DEEPSHARP_SPARSE_DENSITY", saved[1]);
            Environment.SetEnvironmentVariable("DEEPSHARP_THREADS", saved[2]);
        }
    }

    [Fact]
    public void TheKernelsReadTheOptionsAtEachCall()
    {
        var saved = Backend.Cpu.Options;
        try
        {
            var g = ConvGeometry.Create(2, 16, 16, 64, 3, 3, 1, 1, Padding.Same);
            Backend.Cpu.Options = new CpuBackendOptions { Winograd = true, WinogradMinChannels = 16 };
            bool vectors = VectorPaths.Best != VectorWidth.Scalar;
            Assert.Equal(vectors, WinogradConv.Applies(g, 64));
            Backend.Cpu.Options.Winograd = false;
            Assert.False(WinogradConv.Applies(g, 64));
            Backend.Cpu.Options.Threads = 1;
            Assert.Equal(1, Workers.ThreadCount);
            Backend.Cpu.Options.VectorWidth = VectorWidth.Scalar;
            Assert.Equal(VectorWidth.Scalar, VectorPaths.Best);
            Assert.Equal(GemmPath.Portable, GemmKernels.Path);
            // The same convolution on every path the options select gives the same result.
            var rng = new Random(3);
            var x = new Tensor(Enumerable.Range(0, 2 * 16 * 16 * 64).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(), 2, 16, 16, 64);
            var w = new Tensor(Enumerable.Range(0, 9 * 64 * 32).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(), 3, 3, 64, 32);
            float[]? ws = null;
            var results = new List<float[]>();
            foreach (var options in (CpuBackendOptions[])[new() { Winograd = false, ImplicitGemm = false }, new() { Winograd = false }, new() { WinogradMinChannels = 16 }])
            {
                Backend.Cpu.Options = options;
                var y = new Tensor(2, 16, 16, 32);
                Conv2DOp.Forward(x, w, null, y, ConvGeometry.Create(2, 16, 16, 64, 3, 3, 1, 1, Padding.Same), Epilogue.None, ref ws);
                results.Add(y.Data);
            }
            for (int i = 1; i < results.Count; i++)
                for (int j = 0; j < results[0].Length; j++)
                    Assert.True(Math.Abs(results[i][j] - results[0][j]) < 1e-3f, $"path {i} differs at {j}: {results[i][j]} vs {results[0][j]}");
        }
        finally { Backend.Cpu.Options = saved; }
    }
}
