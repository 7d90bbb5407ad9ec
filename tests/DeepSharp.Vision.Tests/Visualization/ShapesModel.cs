using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;

namespace DeepSharp.Vision.Tests.Visualization;

/// <summary>
/// Synthetic images whose class evidence sits at a known place: a 32×32 image of faint noise holding one 7×7 shape, a
/// plus ("cross", class 0) or a hollow square ("square", class 1) or none ("none", class 2: so that each shape class
/// needs evidence of its own rather than the absence of the other's), and elsewhere a distractor that belongs to no
/// class (an "X" of the same size and brightness, in every image). A convnet is trained on them once per test class, with
/// global average pooling at the end and weights from its own seeded generator.
/// </summary>
public sealed class ShapesModel
{
    public const int Size = 32, Shape = 7, Distractor = 2;

    public ShapesModel() : this(5) { }

    internal ShapesModel(int seed)
    {
        var r = new Random(11);
        int n = 600;
        var x = new Tensor(n, Size, Size, 1);
        var y = new Tensor(n, 3);
        for (int i = 0; i < n; i++)
        {
            int cls = i % 3;
            var (evidence, distractor) = TwoPlaces(r);
            if (cls == 2) Fill(x, i, r, (Distractor, distractor.Top, distractor.Left));
            else Fill(x, i, r, (cls, evidence.Top, evidence.Left), (Distractor, distractor.Top, distractor.Left));
            y[i, cls] = 1f;
        }
        Model = new Sequential(
            new Conv2D(8, (3, 3), padding: "same", activation: "relu", inputShape: (Size, Size, 1)),
            new MaxPooling2D((2, 2)),
            new Conv2D(16, (3, 3), padding: "same", activation: "relu"),
            new MaxPooling2D((2, 2)),
            new Conv2D(16, (3, 3), padding: "same", activation: "relu", name: "last_conv"),
            new GlobalAveragePooling2D(),
            new Dense(3, activation: "softmax", name: "predictions"));
        // Glorot-uniform kernels from this test's own generator (the global one is shared by tests running in parallel).
        var init = new Random(seed);
        foreach (var p in Model.Parameters)
        {
            var s = p.Value.ShapeArray;
            int receptive = s.Length == 4 ? s[0] * s[1] : 1;
            float limit = p.Name == "kernel" ? MathF.Sqrt(6f / (receptive * s[^2] + receptive * s[^1])) : 0f;
            for (int i = 0; i < p.Value.Size; i++) p.Value.Data[i] = limit * (2f * (float)init.NextDouble() - 1f);
        }
        Model.Compile(new Adam(learningRate: 3e-3f), "categorical_crossentropy", ["accuracy"]);
        Model.Fit(x, y, batchSize: 32, epochs: 15, verbose: 0, shuffle: false);
        Accuracy = Model.Evaluate(x, y, verbose: 0)["accuracy"];
    }

    public Sequential Model { get; }
    public double Accuracy { get; }

    /// <summary>Two random top-left corners whose 7×7 boxes are at least 3 pixels apart.</summary>
    public static ((int Top, int Left), (int Top, int Left)) TwoPlaces(Random r)
    {
        while (true)
        {
            var a = (r.Next(0, Size - Shape + 1), r.Next(0, Size - Shape + 1));
            var b = (r.Next(0, Size - Shape + 1), r.Next(0, Size - Shape + 1));
            if (Math.Abs(a.Item1 - b.Item1) >= Shape + 3 || Math.Abs(a.Item2 - b.Item2) >= Shape + 3) return (a, b);
        }
    }

    /// <summary>
    /// Draws faint noise and the given shapes (0 cross, 1 hollow square, 2 the "X" distractor; top row, left column)
    /// into image <paramref name="index"/> (values 0–1).
    /// </summary>
    public static void Fill(Tensor x, int index, Random r, params (int Kind, int Top, int Left)[] shapes)
    {
        int off = index * Size * Size;
        for (int p = 0; p < Size * Size; p++) x.Data[off + p] = 0.15f * (float)r.NextDouble();
        foreach (var (kind, top, left) in shapes)
            for (int dy = 0; dy < Shape; dy++)
                for (int dx = 0; dx < Shape; dx++)
                {
                    bool on = kind switch
                    {
                        0 => dy == Shape / 2 || dx == Shape / 2,
                        1 => dy == 0 || dx == 0 || dy == Shape - 1 || dx == Shape - 1,
                        _ => dy == dx || dy == Shape - 1 - dx,
                    };
                    if (on) x.Data[off + (top + dy) * Size + left + dx] = 1f;
                }
    }
}
