using DeepSharp.Layers;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Layers;

/// <summary>Every layer's backward, through the layer API, against finite differences.</summary>
public class LayerGradientTests
{
    [Theory]
    [InlineData("linear", "valid", 1)]
    [InlineData("tanh", "same", 2)]
    [InlineData("sigmoid", "same", 1)]
    [InlineData("softmax", "valid", 2)]   // softmax over the filters axis
    public void Conv2D(string activation, string padding, int stride)
    {
        var layer = new Conv2D(4, (3, 2), strides: (stride, stride), padding: padding, activation: activation);
        LayerGradientCheck.Check(layer, [Random(1, [2, 5, 6, 3])]);
    }

    [Fact]
    public void Conv2DWithRelu()
    {
        // ReLU is applied in the GEMM's store; its kink must not be crossed by a probe. With these seeds the
        // smallest |pre-activation| stays above the largest change one probe (h = 1e-3) can make (asserted below).
        var layer = new Conv2D(3, (3, 3), padding: "same", activation: "relu");
        var x = Random(1, [2, 4, 5, 2]);
        LayerGradientCheck.Check(layer, [x], h: 1e-3f);

        var linear = new Conv2D(3, (3, 3), padding: "same");
        linear.Call(new Input(4, 5, 2));
        layer.Kernel.Value.Span.CopyTo(linear.Kernel.Value.Span);
        layer.Bias!.Value.Span.CopyTo(linear.Bias!.Value.Span);
        var z = linear.Forward([x], training: false);
        float nearestKink = System.Numerics.Tensors.TensorPrimitives.MinMagnitude(z.Span);
        // One probe moves a pre-activation by at most h·|x| (kernel probe), h·|w| (input probe) or h (bias probe).
        float reach = 1e-3f * Math.Max(1f, Math.Max(Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(x.Span)),
            Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(layer.Kernel.Value.Span))));
        Assert.True(Math.Abs(nearestKink) > reach, $"a pre-activation ({nearestKink}) is within {reach} of ReLU's kink: pick other seeds");
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("relu")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("softmax")]
    public void Dense(string activation)
    {
        var layer = new Dense(5, activation: activation);
        var x = Random(1, [3, 7]);
        LayerGradientCheck.Check(layer, [x], h: activation == "relu" ? 1e-3f : 1e-2f);
        if (activation == "relu")
        {
            // No probe may cross ReLU's kink: every |pre-activation| must exceed what one probe can move it (h·max(1, |x|, |w|)).
            var z = new Tensor(3, 5);
            DeepSharp.Backends.Cpu.DenseOp.Forward(x, layer.Kernel.Value, layer.Bias!.Value, z);
            Assert.True(System.Numerics.Tensors.TensorPrimitives.MinMagnitude(z.Span) is var k && Math.Abs(k) > 1e-3f, $"pre-activation {k} is too close to ReLU's kink");
        }
    }

    [Fact]
    public void DenseOnTheLastAxisOfImages()
    {
        LayerGradientCheck.Check(new Dense(3, activation: "tanh"), [Random(1, [2, 3, 2, 4])]);
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("softmax")]
    [InlineData("relu6")]
    [InlineData("leaky_relu")]
    [InlineData("elu")]
    [InlineData("selu")]
    [InlineData("gelu")]
    [InlineData("gelu_approximate")]
    [InlineData("silu")]
    [InlineData("swish")]
    [InlineData("softplus")]
    [InlineData("hard_sigmoid")]
    public void Activation(string activation)
    {
        // Kinks at 0 (relu, relu6, leaky_relu, elu, selu); hard_sigmoid's at ±3 lie outside [-2, 2].
        var x = AwayFromZero(1, [3, 6], 0.1f, 2f);
        LayerGradientCheck.Check(new Activation(activation), [x]);
    }

    [Theory]
    [InlineData("gelu")]
    [InlineData("silu")]
    [InlineData("elu")]
    [InlineData("tanh")]
    public void DenseAndConv2DWithAnActivationThatReadsItsInput(string activation)
    {
        // The layer keeps the pre-activation for the backend's backward (gelu and silu need x, not y).
        LayerGradientCheck.Check(new Dense(4, activation: activation), [Random(1, [3, 5])]);
        LayerGradientCheck.Check(new Conv2D(3, (2, 2), activation: activation), [Random(2, [2, 4, 4, 2])]);
    }

    [Theory]
    [InlineData("valid")]
    [InlineData("same")]
    public void Pooling(string padding)
    {
        LayerGradientCheck.Check(new MaxPooling2D((3, 3), strides: (2, 2), padding: padding), [Distinct(1, [2, 5, 6, 3])], h: 1e-3f);
        LayerGradientCheck.Check(new AveragePooling2D((3, 3), strides: (2, 2), padding: padding), [Random(1, [2, 5, 6, 3])]);
    }

    [Fact]
    public void Conv2DLargeEnoughForWinograd()
    {
        // 64 input channels and an 8×8 output: the Winograd forward everywhere it is on, and on AVX2 its kernel gradient.
        var layer = new Conv2D(16, (3, 3));
        LayerGradientCheck.Check(layer, [Random(1, [1, 10, 10, 64])]);
    }

    [Fact]
    public void MaxPoolingBackwardAfterAnInferenceForwardFindsTheWinners()
    {
        // Inference keeps no winner indices; a backward pass after it (Grad-CAM) must recompute them, and must not
        // use the ones of an earlier training pass on other data.
        var layer = new MaxPooling2D((2, 2));
        var trained = Distinct(1, [2, 6, 6, 3]);
        var x = Distinct(2, [2, 6, 6, 3]);
        var dy = Random(3, [2, 3, 3, 3]);
        layer.Forward([trained], training: true);
        var y = layer.Forward([x], training: false).Span.ToArray();
        layer.Backward(dy, needInputGradients: true);
        var dx = layer.InputGradients[0]!.Span.ToArray();

        var reference = new MaxPooling2D((2, 2));
        Assert.Equal(reference.Forward([x], training: true).Span.ToArray(), y);
        reference.Backward(dy, needInputGradients: true);
        Assert.Equal(reference.InputGradients[0]!.Span.ToArray(), dx);
    }

    [Fact]
    public void GlobalAveragePoolingFlattenAndZeroPadding()
    {
        LayerGradientCheck.Check(new GlobalAveragePooling2D(), [Random(1, [2, 3, 4, 5])]);
        LayerGradientCheck.Check(new GlobalMaxPooling2D(), [Distinct(4, [2, 3, 4, 5])]);
        LayerGradientCheck.Check(new Rescaling(1f / 255, offset: -0.5f), [Random(5, [2, 3, 4, 3])]);
        LayerGradientCheck.Check(new Flatten(), [Random(2, [2, 3, 4, 5])]);
        LayerGradientCheck.Check(new ZeroPadding2D(((1, 2), (3, 0))), [Random(3, [2, 3, 4, 2])]);
    }

    [Fact]
    public void AddOfThreeInputs()
    {
        LayerGradientCheck.Check(new Add(), [Random(1, [2, 3, 3, 2]), Random(2, [2, 3, 3, 2]), Random(3, [2, 3, 3, 2])]);
    }

    [Fact]
    public void BatchNormalizationInTrainingMode()
    {
        var layer = new BatchNormalization();
        LayerGradientCheck.Check(layer, [Random(1, [2, 3, 3, 4], -1f, 3f)], training: true);
        // gamma and beta got gradients; the moving statistics are not trainable and were left alone by Backward.
        Assert.Equal(["gamma", "beta"], layer.Parameters.Where(p => p.Trainable).Select(p => p.Name));
    }

    [Fact]
    public void BatchNormalizationInInferenceMode()
    {
        var layer = new BatchNormalization();
        layer.Call(new Input(3, 3, 4));
        Rng.Uniform(new System.Random(3), layer.Parameters[0].Value.Span, 0.5f, 1.5f);   // gamma
        Rng.Uniform(new System.Random(4), layer.Parameters[1].Value.Span, -1f, 1f);      // beta
        Rng.Uniform(new System.Random(5), layer.Parameters[2].Value.Span, -1f, 1f);      // moving_mean
        Rng.Uniform(new System.Random(6), layer.Parameters[3].Value.Span, 0.2f, 2f);     // moving_variance
        var x = Random(1, [2, 3, 3, 4]);
        var dy = Random(2, [2, 3, 3, 4]);
        layer.Forward([x], training: false);
        layer.Backward(dy, needInputGradients: true);
        CheckOp($"{layer} (inference): dx", x, () => layer.Forward([x], training: false), dy, Copy(layer.InputGradients[0]!));
    }

    [Fact]
    public void DropoutScalesTheGradientByItsMask()
    {
        // Training draws a new mask per call, so finite differences do not apply here (the op test uses a fixed
        // mask); instead: dx = dy ⊙ (y / x) for the mask of the last forward, and inference passes through.
        var layer = new Dropout(0.5f, seed: 3);
        layer.Call(new Input(20));
        var x = AwayFromZero(1, [4, 20], 0.1f, 1f);
        var dy = Random(2, [4, 20]);
        var y = Copy(layer.Forward([x], training: true));
        layer.Backward(dy, needInputGradients: true);
        var dx = layer.InputGradients[0]!;
        for (int i = 0; i < x.Size; i++)
            Assert.Equal(dy.Data[i] * y[i] / x.Data[i], dx.Data[i], 5);
        Assert.Contains(0f, y);
        Assert.Same(x, layer.Forward([x], training: false));
    }
}
