using DeepSharp.Layers;
using DeepSharp.Models;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Layers;

/// <summary>
/// Layers keep their buffers between calls and reuse them for a smaller (last) batch. A model that has seen
/// a batch of 5 must give, on a batch of 3, exactly what a fresh copy gives: outputs, input and weight gradients.
/// </summary>
public class BufferReuseTests
{
    private static Model Build()
    {
        var inputs = new Input(6, 6, 2);
        var x = new Conv2D(3, (3, 3), padding: "same", activation: "relu").Call(inputs);
        x = new BatchNormalization().Call(x);
        var shortcut = x;
        x = new Conv2D(3, (3, 3), padding: "same").Call(x);
        x = new Add().Call(x, shortcut);
        x = new MaxPooling2D((2, 2)).Call(x);
        x = new ZeroPadding2D(1).Call(x);
        x = new AveragePooling2D((2, 2)).Call(x);
        x = new Flatten().Call(x);
        var model = new Model(inputs, new Dense(4, activation: "tanh").Call(x));
        LayerGradientCheck.Reinitialize(model.Parameters, 5);
        return model;
    }

    [Fact]
    public void ASmallerSecondBatchGivesTheSameResultsAsAFreshModel()
    {
        var (used, fresh) = (Build(), Build());
        var big = Random(1, [5, 6, 6, 2]);
        used.RunForward(big, training: true);
        used.Graph.Backward(Random(2, [5, 4]), used.Nodes.Count - 1, needInputGradient: true, forceNode: -1);

        var small = Random(3, [3, 6, 6, 2]);
        var dy = Random(4, [3, 4]);
        var results = new List<float[]>();
        foreach (var model in new[] { used, fresh })
        {
            var y = model.RunForward(small, training: true);
            Assert.Equal(new[] { 3, 4 }, y.ShapeArray);
            results.Add(Copy(y));
            model.Graph.Backward(dy, model.Nodes.Count - 1, needInputGradient: true, forceNode: -1);
            results.Add(Copy(model.Graph.GradientAt(0)!));
            foreach (var p in model.Parameters.Where(p => p.Trainable)) results.Add(Copy(p.Grad));
        }
        int half = results.Count / 2;
        for (int i = 0; i < half; i++)
            Assert.Equal(results[half + i], results[i]);
    }
}
