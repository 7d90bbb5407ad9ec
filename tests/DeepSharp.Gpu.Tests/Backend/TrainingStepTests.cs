using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Losses;
using static DeepSharp.Gpu.Tests.GpuUnderTest;

namespace DeepSharp.Gpu.Tests.Backend;

/// <summary>
/// One training step of a small MNIST-style convnet (Conv2D 3×3 relu → MaxPooling 2×2 → Flatten → Dense softmax, fused
/// softmax + categorical crossentropy, RMSprop) chained through the GPU backend's primitives with every tensor on the
/// device and nothing copied to the host until the end, against the same chain on the reference backend and the core's
/// loss. Not Fit yet (layers do not allocate on the device: issue 22), but the same calls in the same order.
/// </summary>
[Collection("Gpu")]
public class TrainingStepTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_convnet_step_on_the_device_matches_the_reference(int batch)
    {
        const int size = 8, filters = 4, classes = 10;
        var conv = ConvGeometry.Create(batch, size, size, 1, 3, 3, 1, 1, Padding.Valid);          // (batch, 6, 6, 4)
        var pool = ConvGeometry.Create(batch, conv.OutH, conv.OutW, filters, 2, 2, 2, 2, Padding.Valid);  // (batch, 3, 3, 4)
        int flat = pool.OutH * pool.OutW * filters;
        var x = Random(40, batch, size, size, 1);
        var targets = new Tensor(batch, classes);
        var t = new float[batch * classes];
        for (int i = 0; i < batch; i++) t[i * classes + (7 * i + 2) % classes] = 1f;
        targets.CopyFrom(t);
        var weights = new[] { Random(41, 3, 3, 1, filters) * 0.5f, Random(42, filters) * 0.1f, Random(43, flat, classes) * 0.3f, Random(44, classes) * 0.1f };

        // The reference: host tensors, the core's loss, RMSprop on spans.
        var host = weights.Select(w => w.Clone()).ToArray();
        Tensor[] grads;
        double loss;
        {
            var y1 = new Tensor(batch, conv.OutH, conv.OutW, filters);
            Reference.Conv2D(x, host[0], host[1], y1, conv, relu: true, new BackendScratch());
            var y2 = new Tensor(batch, pool.OutH, pool.OutW, filters);
            var argmax = new int[y2.Size];
            Reference.MaxPool(y1, y2, argmax, pool);
            var logits = new Tensor(batch, classes);
            Reference.Dense(y2.Reshape(batch, flat), host[2], host[3], logits, relu: false);
            var p = new Tensor(batch, classes);
            Reference.Activation(ActivationKind.Softmax, logits, p);
            var dLogits = new float[batch * classes];
            loss = new CategoricalCrossentropy().Compute(p, logits, targets, dLogits);
            var dz = Tensor.FromArray(dLogits, batch, classes);
            var (dFlat, dDense, dDenseBias) = (new Tensor(batch, flat), new Tensor(flat, classes), new Tensor(classes));
            Reference.DenseBackward(y2.Reshape(batch, flat), host[2], logits, dz, false, dFlat, dDense, dDenseBias, new BackendScratch());
            var dy1 = new Tensor(y1.ShapeArray);
            Reference.MaxPoolBackward(dFlat.Reshape(y2.ShapeArray), argmax, dy1, pool);
            var (dKernel, dBias) = (new Tensor(host[0].ShapeArray), new Tensor(filters));
            Reference.Conv2DBackward(x, host[0], y1, dy1, true, null, dKernel, dBias, conv, new BackendScratch());
            grads = [dKernel, dBias, dDense, dDenseBias];
            for (int i = 0; i < 4; i++)
            {
                var w = host[i].ToArray();
                Reference.RmsPropUpdate(w, grads[i].ToArray(), new float[w.Length], null, 1e-3f, 0.9f, 1e-7f, 0f);
                host[i] = Tensor.FromArray(w, host[i].ShapeArray);
            }
        }

        // The GPU: every tensor on the device, nothing read back until the weights are compared.
        var gw = weights.Select(OnGpu).ToArray();
        var gx = OnGpu(x);
        var gy1 = GpuZeros(batch, conv.OutH, conv.OutW, filters);
        Ilgpu.Conv2D(gx, gw[0], gw[1], gy1, conv, relu: true, new BackendScratch());
        var gy2 = GpuZeros(batch, pool.OutH, pool.OutW, filters);
        var winners = new int[gy2.Size];
        Ilgpu.MaxPool(gy1, gy2, winners, pool);
        var gLogits = GpuZeros(batch, classes);
        Ilgpu.Dense(gy2.Reshape(batch, flat), gw[2], gw[3], gLogits, relu: false);
        var (gp, gdz, rowLoss) = (GpuZeros(batch, classes), GpuZeros(batch, classes), GpuZeros(batch));
        Ilgpu.SoftmaxCrossentropy(gLogits, OnGpu(targets), gp, gdz, rowLoss);
        var (gdFlat, gdDense, gdDenseBias) = (GpuZeros(batch, flat), GpuZeros(flat, classes), GpuZeros(classes));
        Ilgpu.DenseBackward(gy2.Reshape(batch, flat), gw[2], gLogits, gdz, false, gdFlat, gdDense, gdDenseBias, new BackendScratch());
        var gdy1 = GpuZeros(gy1.ShapeArray);
        Ilgpu.MaxPoolBackward(gdFlat.Reshape(gy2.ShapeArray), winners, gdy1, pool);
        var (gdKernel, gdBias) = (GpuZeros(gw[0].ShapeArray), GpuZeros(filters));
        Ilgpu.Conv2DBackward(gx, gw[0], gy1, gdy1, true, null, gdKernel, gdBias, conv, new BackendScratch());
        var gGrads = new[] { gdKernel, gdBias, gdDense, gdDenseBias };
        for (int i = 0; i < 4; i++)
            Ilgpu.RmsPropUpdate(gw[i], gGrads[i], GpuZeros(gw[i].Size), null, 1e-3f, 0.9f, 1e-7f, 0f);

        // The gradients (RMSprop's first step from a zero average is about lr·√10·sign(g), so the weights alone would
        // hide a wrong magnitude), the loss, then the updated weights.
        string[] names = ["conv kernel", "conv bias", "dense kernel", "dense bias"];
        Assert.Equal(loss, rowLoss.ToArray().Average(), 1e-5);
        for (int i = 0; i < 4; i++)
        {
            AssertClose(grads[i], gGrads[i], $"{names[i]} gradient");
            AssertClose(host[i], gw[i], $"{names[i]} after one step");
            // The step moved every weight tensor (the comparison is not of untouched weights).
            Assert.NotEqual(weights[i].ToArray(), gw[i].ToArray());
        }
    }
}
