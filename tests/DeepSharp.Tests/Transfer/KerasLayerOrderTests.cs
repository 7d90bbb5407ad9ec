using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Tests.Transfer;

/// <summary>
/// model.Layers follows Keras' order (keras/src/ops/function.py map_graph: decreasing depth from the output, ties by the
/// first visit of a depth-first walk from the output), which is the order of Keras' config and weight files.
/// </summary>
public class KerasLayerOrderTests
{
    [Fact]
    public void ShortcutListedFirstStillComesAfterTheDeeperMainPath()
    {
        // out = add(shortcut(in), b(a(in))): depths add 1, shortcut 2, b 2, a 3.
        // Keras: a (depth 3), then the depth-2 tie by first visit from the output (add -> shortcut before b).
        var inputs = new Input(4, 4, 2);
        var shortcut = new Conv2D(2, (1, 1), name: "shortcut").Call(inputs);
        var a = new Conv2D(2, (3, 3), padding: "same", name: "a").Call(inputs);
        var b = new Conv2D(2, (3, 3), padding: "same", name: "b").Call(a);
        var add = new Add(name: "add").Call(shortcut, b);
        var model = new Model(inputs, new Flatten(name: "flat").Call(add));
        Assert.Equal(["a", "shortcut", "b", "add", "flat"], model.Layers.Select(l => l.Name).ToArray());
    }

    [Fact]
    public void ResNetBlockOrderMatchesKeras()
    {
        // A ResNet50-style projection block as keras.applications writes it: the shortcut conv is created after the main
        // path's first convs but is shallower; Keras lists by depth: 1_conv, 1_bn, 1_relu, then {2_conv (depth 5)},
        // 0_conv and 2_bn ... as computed below.
        var inputs = new Input(4, 4, 2);
        var x = new Conv2D(2, (1, 1), name: "c1").Call(inputs);           // depth 5
        x = new BatchNormalization(name: "b1").Call(x);                    // 4
        x = new Conv2D(2, (3, 3), padding: "same", name: "c2").Call(x);    // 3
        x = new BatchNormalization(name: "b2").Call(x);                    // 2
        var s = new Conv2D(2, (1, 1), name: "c0").Call(inputs);            // 3
        s = new BatchNormalization(name: "b0").Call(s);                    // 2
        var y = new Add(name: "add").Call(s, x);                           // 1 (shortcut first, as keras.applications.resnet does)
        var model = new Model(inputs, new Activation("relu", name: "out").Call(y));   // 0
        // Depth 3 ties: first visit from the output: out, add, b0, c0 (index 3), ..., b2, c2 (later) -> c0 before c2.
        // Depth 2 ties: b0 (index 2) before b2.
        Assert.Equal(["c1", "b1", "c0", "c2", "b0", "b2", "add", "out"], model.Layers.Select(l => l.Name).ToArray());
        // And it still runs in that order.
        var output = model.Predict(DeepSharp.Tests.GradientCheck.Random(1, [2, 4, 4, 2]));
        Assert.Equal([2, 4, 4, 2], output.Shape.ToArray());
    }
}
