using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;

namespace DeepSharp.Tests.Saving;

/// <summary>Small models and random data shared by the saving tests.</summary>
internal static class SavingFixtures
{
    /// <summary>The chapter's MNIST convnet (93,322 parameters), compiled with RMSprop.</summary>
    public static Sequential MnistModel()
    {
        var model = Models.ChapterModel.Create();
        model.Compile("rmsprop", "categorical_crossentropy", ["accuracy"]);
        return model;
    }

    /// <summary>A functional residual model with every other layer type: BatchNormalization, Add, Dropout, padding, pooling.</summary>
    public static Model ResidualModel()
    {
        var inputs = new Input(12, 12, 3);
        var x = new Conv2D(8, (3, 3), padding: "same", activation: "relu", kernelInitializer: "he_normal").Call(inputs);
        x = new BatchNormalization().Call(x);
        var shortcut = x;
        var y = new Conv2D(8, (3, 3), padding: "same").Call(x);
        y = new BatchNormalization(momentum: 0.9f).Call(y);
        y = new Activation("relu").Call(y);
        x = new Add().Call(y, shortcut);
        x = new MaxPooling2D((2, 2)).Call(x);
        x = new ZeroPadding2D(1).Call(x);
        x = new AveragePooling2D((2, 2), strides: (1, 1)).Call(x);
        x = new GlobalAveragePooling2D().Call(x);
        x = new Dropout(0.5f).Call(x);
        var outputs = new Dense(3, activation: "softmax").Call(x);
        var model = new Model(inputs, outputs);
        model.Compile(new Adam(learningRate: 3e-3f), "categorical_crossentropy", ["accuracy"]);
        return model;
    }

    /// <summary>A Sequential holding a functional convolutional base whose first layer is frozen; SGD with momentum.</summary>
    public static Sequential NestedModel()
    {
        var inputs = new Input(10, 10, 2);
        var x = new Conv2D(4, (3, 3), activation: "relu").Call(inputs);
        x = new Conv2D(4, (3, 3), activation: "relu").Call(x);
        var convBase = new Model(inputs, x);
        convBase.Layers[0].Trainable = false;
        var model = new Sequential(convBase, new Flatten(), new Dense(1, activation: "sigmoid"));
        model.Compile(new SGD(learningRate: 0.05f, momentum: 0.9f), "binary_crossentropy", ["accuracy"]);
        return model;
    }

    public static Tensor RandomImages(int seed, params int[] shape)
    {
        var r = new System.Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++) t.Data[i] = (float)r.NextDouble();
        return t;
    }

    public static Tensor RandomOneHot(int seed, int n, int classes)
    {
        var r = new System.Random(seed);
        var t = new Tensor(n, classes);
        for (int i = 0; i < n; i++) t[i, r.Next(classes)] = 1f;
        return t;
    }

    public static Tensor RandomBinary(int seed, int n)
    {
        var r = new System.Random(seed);
        var t = new Tensor(n, 1);
        for (int i = 0; i < n; i++) t.Data[i] = r.Next(2);
        return t;
    }

    /// <summary>Asserts two float arrays are identical bit for bit.</summary>
    public static void AssertBitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {expected.Length} values expected, {actual.Length} found");
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: value {i} differs: {expected[i]:R} vs {actual[i]:R}");
    }

    /// <summary>Every weight of two models of the same architecture, bit for bit.</summary>
    public static void AssertSameWeights(Model expected, Model actual)
    {
        Assert.Equal(expected.Parameters.Count, actual.Parameters.Count);
        for (int i = 0; i < expected.Parameters.Count; i++)
        {
            var (p, q) = (expected.Parameters[i], actual.Parameters[i]);
            Assert.Equal(p.Path, q.Path);
            Assert.Equal(p.Value.Shape.ToArray(), q.Value.Shape.ToArray());
            AssertBitIdentical(p.Value.Span, q.Value.Span, p.Path);
        }
    }
}
