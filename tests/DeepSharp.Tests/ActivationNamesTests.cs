using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Data;
using static DeepSharp.Tests.Saving.SavingFixtures;

namespace DeepSharp.Tests;

/// <summary>Keras' activation names: parsed by layers, written into configs, saved in .keras and loaded back.</summary>
public class ActivationNamesTests
{
    [Theory]
    [InlineData("relu6", ActivationKind.Relu6)]
    [InlineData("leaky_relu", ActivationKind.LeakyRelu)]
    [InlineData("elu", ActivationKind.Elu)]
    [InlineData("selu", ActivationKind.Selu)]
    [InlineData("gelu", ActivationKind.Gelu)]
    [InlineData("silu", ActivationKind.Silu)]
    [InlineData("swish", ActivationKind.Silu)]
    [InlineData("softplus", ActivationKind.Softplus)]
    [InlineData("hard_sigmoid", ActivationKind.HardSigmoid)]
    [InlineData("Tanh", ActivationKind.Tanh)]
    [InlineData(null, ActivationKind.Linear)]
    public void LayersTakeKerasNames(string? name, ActivationKind kind)
    {
        Assert.Equal(kind, new Dense(3, activation: name).Activation);
        Assert.Equal(kind, new Conv2D(3, (3, 3), activation: name).Activation);
        Assert.Equal(kind, new Activation(name).Kind);
    }

    [Fact]
    public void SwishIsSavedAsSilu_AsKerasSerializesIt() =>
        Assert.Equal("silu", new Activation("swish").GetConfig()["activation"]);

    [Fact]
    public void AnUnknownNameIsOneErrorNamingTheLayerAndListingTheKnownNames()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dense(3, activation: "mish", name: "head"));
        Assert.Contains("Layer 'head'", e.Message);
        Assert.Contains("'mish'", e.Message);
        foreach (var name in ActivationNames.Names) Assert.Contains(name, e.Message);
        Assert.Contains("silu (swish)", e.Message);
    }

    [Fact]
    public void EveryActivationRoundTripsThroughAKerasFile()
    {
        using var dir = new TempFolder();
        var inputs = new Input(6, 6, 2);
        SymbolicTensor x = new Conv2D(4, (3, 3), activation: "gelu").Call(inputs);
        x = new Conv2D(4, (1, 1), activation: Activations.Relu6).Call(x);
        x = new Activation("swish").Call(x);
        x = new Flatten().Call(x);
        foreach (var name in new[] { "leaky_relu", "elu", "selu", "gelu_approximate", "softplus", "hard_sigmoid", "tanh" })
            x = new Dense(5, activation: name).Call(x);
        var model = new Model(inputs, new Dense(3, activation: "softmax").Call(x));
        model.Compile("rmsprop", "categorical_crossentropy");
        string path = dir.File("activations.keras");
        model.Save(path);
        var loaded = Model.Load(path);

        Assert.Equal(model.Layers.Select(l => l.GetConfig().GetValueOrDefault("activation")), loaded.Layers.Select(l => l.GetConfig().GetValueOrDefault("activation")));
        Assert.Contains("silu", loaded.Layers.Select(l => l.GetConfig().GetValueOrDefault("activation") as string));
        var images = RandomImages(1, 3, 6, 6, 2);
        AssertBitIdentical(model.Predict(images).Span, loaded.Predict(images).Span, "predictions");
    }
}
