using DeepSharp.Layers;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Layers;

/// <summary>
/// Checks a layer's Backward through the layer API (Forward/Backward/InputGradients/Parameter.Grad):
/// the gradients for every input and every trainable weight against finite differences of
/// L = Σ dy ⊙ Forward(inputs).
/// </summary>
internal static class LayerGradientCheck
{
    /// <summary>Builds <paramref name="layer"/> for inputs of <paramref name="inputs"/>' shapes (batch axis first) and checks it.</summary>
    public static void Check(Layer layer, Tensor[] inputs, bool training = true, float h = 1e-2f, int seed = 11)
    {
        layer.Call(inputs.Select(x => (SymbolicTensor)new Input(x.ShapeArray[1..])).ToArray());
        Reinitialize(layer.Parameters, seed);
        var dy = Random(seed, layer.Forward(inputs, training).ShapeArray);
        layer.Backward(dy, needInputGradients: true);
        var inputGrads = layer.InputGradients.Select(g => g is null ? null : Copy(g)).ToArray();
        var weights = layer.Parameters.Where(p => p.Trainable).ToArray();
        var weightGrads = weights.Select(p => Copy(p.Grad)).ToArray();

        Tensor Forward() => layer.Forward(inputs, training);
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.True(inputGrads[i] is not null, $"{layer}: no gradient for input {i} although it was asked for.");
            CheckOp($"{layer}: d(input {i})", inputs[i], Forward, dy, inputGrads[i]!, h);
        }
        for (int w = 0; w < weights.Length; w++)
            CheckOp($"{layer}: d({weights[w].Name})", weights[w].Value, Forward, dy, weightGrads[w], h);
    }

    /// <summary>
    /// Gives every trainable weight uniform values in [-0.5, 0.5) from a local seeded generator. Layers draw their
    /// initial weights from the global <see cref="Rng"/>, which tests running in parallel share, so a test that
    /// needs the same weights on every run sets them itself.
    /// </summary>
    public static void Reinitialize(IEnumerable<Parameter> parameters, int seed)
    {
        var r = new System.Random(seed);
        foreach (var p in parameters)
            if (p.Trainable) Rng.Uniform(r, p.Value.Span, -0.5f, 0.5f);
    }
}
