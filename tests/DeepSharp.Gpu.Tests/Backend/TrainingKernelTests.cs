using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Losses;
using static DeepSharp.Gpu.Tests.GpuUnderTest;

namespace DeepSharp.Gpu.Tests.Backend;

/// <summary>
/// The training step's loss and update on the GPU: the fused softmax + categorical crossentropy against the core's
/// <see cref="CategoricalCrossentropy"/> (its logits path), RMSprop against the reference backend's update; and the
/// primitives it does not have yet, each one clear error.
/// </summary>
[Collection("Gpu")]
public class TrainingKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void SoftmaxCrossentropy_matches_the_core_loss(int batch)
    {
        const int classes = 10;
        var logits = Random(30, batch, classes) * 4f;
        var targets = new Tensor(batch, classes);
        var t = new float[batch * classes];
        for (int i = 0; i < batch; i++) t[i * classes + (3 * i + 1) % classes] = 1f;
        if (batch > 1) { t[classes + 0] = 0.05f; t[classes + 4] = 0.95f; t[classes + 4 - 3] = 0f; }   // a smoothed row
        targets.CopyFrom(t);
        var probabilities = new Tensor(batch, classes);
        Reference.Activation(ActivationKind.Softmax, logits, probabilities);
        var gradient = new float[batch * classes];
        double loss = new CategoricalCrossentropy().Compute(probabilities, logits, targets, gradient);
        var expectedGradient = new Tensor(batch, classes);
        expectedGradient.CopyFrom(gradient);

        var (gp, gdz, rows) = (GpuZeros(batch, classes), GpuZeros(batch, classes), GpuZeros(batch));
        Ilgpu.SoftmaxCrossentropy(OnGpu(logits), OnGpu(targets), gp, gdz, rows);
        AssertClose(probabilities, gp, "probabilities");
        AssertClose(expectedGradient, gdz, "dLogits");
        Assert.Equal(loss, rows.ToArray().Average(), 1e-5);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.9f)]
    public void RmsPropUpdate_matches_the_reference(float momentum)
    {
        const int n = 37;
        var w = Random(31, n);
        var g = Random(32, n);
        var average = Random(33, n).ToArray().Select(Math.Abs).ToArray();
        var velocity = Random(34, n).ToArray();
        var (gw, ga, gv) = (OnGpu(w), OnGpu(Tensor.FromArray(average, n)), OnGpu(Tensor.FromArray(velocity, n)));
        var (wHost, aHost, vHost) = (w.ToArray(), (float[])average.Clone(), (float[])velocity.Clone());
        for (int step = 0; step < 3; step++)
        {
            Reference.RmsPropUpdate(wHost, g.ToArray(), aHost, momentum > 0 ? vHost : null, 1e-3f, 0.9f, 1e-7f, momentum);
            Ilgpu.RmsPropUpdate(gw, OnGpu(g), ga, momentum > 0 ? gv : null, 1e-3f, 0.9f, 1e-7f, momentum);
        }
        AssertClose(Tensor.FromArray(wHost, n), gw, "w", 1e-6);
        AssertClose(Tensor.FromArray(aHost, n), ga, "average", 1e-6);
        if (momentum > 0) AssertClose(Tensor.FromArray(vHost, n), gv, "velocity", 1e-6);
    }

    [Fact]
    public void Primitives_it_does_not_have_say_so_by_name()
    {
        var g = ConvGeometry.Create(1, 4, 4, 1, 2, 2, 2, 2, Padding.Valid);
        var error = Assert.Throws<NotSupportedException>(() => Ilgpu.AveragePool(GpuZeros(1, 4, 4, 1), GpuZeros(1, 2, 2, 1), g));
        Assert.Contains("IBackend.AveragePool", error.Message);
        Assert.Contains("does not have this primitive yet", error.Message);
        var span = Assert.Throws<NotSupportedException>(() => ((IBackend)Ilgpu).RmsPropUpdate(new float[2], new float[2], new float[2], null, 1e-3f, 0.9f, 1e-7f, 0f));
        Assert.Contains("IBackend.RmsPropUpdate", span.Message);
        Assert.False(Ilgpu.Fuses(FusionPattern.ConvThenMaxPool));
    }
}
