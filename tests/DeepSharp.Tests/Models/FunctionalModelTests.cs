using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Tests.Models;

public class FunctionalModelTests
{
    private static Model ResidualModel()
    {
        var inputs = new Input(8, 8, 3);
        var x = new Conv2D(8, (3, 3), padding: "same", activation: "relu").Call(inputs);
        var shortcut = x;
        x = new Conv2D(8, (3, 3), padding: "same").Call(x);
        x = new BatchNormalization().Call(x);
        x = new Add().Call(x, shortcut);
        x = new Activation("relu").Call(x);
        x = new GlobalAveragePooling2D().Call(x);
        var outputs = new Dense(2, activation: "softmax").Call(x);
        return new Model(inputs, outputs);
    }

    [Fact]
    public void ResidualModelSummaryListsConnections()
    {
        var model = ResidualModel();
        string text = model.SummaryText();
        Assert.Contains("Connected to", text);
        Assert.Contains("Add", text);
        // conv 3*3*3*8+8=224, conv 3*3*8*8+8=584, bn 4*8=32, dense 8*2+2=18
        Assert.Equal(224 + 584 + 32 + 18, model.CountParams());
    }

    [Fact]
    public void ResidualModelLearnsASimpleRule()
    {
        Rng.SetSeed(3);
        var model = ResidualModel();
        // Class 1 when the image's left half is brighter than its right half.
        var random = new Random(5);
        int n = 256;
        var x = new Tensor(n, 8, 8, 3);
        var y = new Tensor(n, 2);
        for (int i = 0; i < n; i++)
        {
            int label = i % 2;
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 8; c++)
                    for (int ch = 0; ch < 3; ch++)
                        x[i, r, c, ch] = (float)random.NextDouble() + ((c < 4) == (label == 1) ? 0.5f : 0f);
            y[i, label] = 1;
        }
        model.Compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, batchSize: 32, epochs: 8, verbose: 0);
        Assert.True(history["accuracy"][^1] > 0.9, $"accuracy {history["accuracy"][^1]}");
        Assert.True(history["loss"][^1] < history["loss"][0]);
    }

    [Fact]
    public void UsingALayerTwiceIsRejected()
    {
        var inputs = new Input(4);
        var dense = new Dense(4);
        var a = dense.Call(inputs);
        var b = dense.Call(a);
        var ex = Assert.Throws<ArgumentException>(() => new Model(inputs, b));
        Assert.Contains(dense.Name, ex.Message);
    }

    [Fact]
    public void ModelNestsAsALayerAndFreezes()
    {
        var baseInputs = new Input(8, 8, 3);
        var conv = new Conv2D(4, (3, 3)).Call(baseInputs);
        var convBase = new Model(baseInputs, conv, name: "conv_base");
        var model = new Sequential(convBase, new Flatten(), new Dense(1, activation: "sigmoid"));
        Assert.Equal(3 * 3 * 3 * 4 + 4 + 6 * 6 * 4 + 1, model.CountParams());
        convBase.Trainable = false;
        Assert.Contains("Non-trainable params: 112", model.SummaryText());
        Assert.Contains("conv_base (Functional)", model.SummaryText());

        // Training leaves the frozen base untouched and moves the head.
        var before = convBase.Parameters[0].Value.Clone();
        var head = model.Layers[^1].Parameters[0].Value.Clone();
        var x = new Tensor(4, 8, 8, 3); x.Span.Fill(0.5f);
        var y = new Tensor(4, 1); y[0, 0] = 1;
        model.Compile(optimizer: "rmsprop", loss: "binary_crossentropy");
        model.Fit(x, y, epochs: 1, verbose: 0);
        Assert.Equal(before.Span.ToArray(), convBase.Parameters[0].Value.Span.ToArray());
        Assert.NotEqual(head.Span.ToArray(), model.Layers[^1].Parameters[0].Value.Span.ToArray());
    }
}
