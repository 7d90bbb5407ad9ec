using System.Diagnostics;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using static DeepSharp.Utils;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>profile --model resnet18</c>: where ResNet18's time goes, layer by layer through its functional graph (residual
/// additions included). With --infer: the base's inference at batch 32; without: the <c>resnet18-finetune</c> step at
/// batch 16 (last stage and Dense head trainable): each layer's forward, the backward of the layers that need one (trainable,
/// or fed by a trainable layer), and the optimizer. Prints each layer's forward GFLOP/s (Conv2D and Dense, as
/// <see cref="ResNet18Bench.FlopPerImage"/> counts them) and a per-kind summary.
/// </summary>
internal static class ResNet18Profile
{
    public static void Run(BenchOptions options, bool infer, int steps)
    {
        int batch = options.Int("batch", infer ? 32 : 16);
        var convBase = Applications.Applications.ResNet18(weights: "imagenet");
        var model = new Sequential(convBase, new Dense(256, activation: "relu"), new Dense(1, activation: "sigmoid"));
        UnfreezeWeights(convBase, from: ResNet18Bench.TopStageStart(convBase).Name);
        model.Compile(optimizer: new RMSprop(learningRate: 1e-5f), loss: "binary_crossentropy");
        var (x, y) = ModelBench.RandomBatch(batch, [224, 224, 3], 1);
        for (int i = 0; i < x.Size; i++) x.Span[i] *= 255f;
        model.TrainStep(x, y);   // builds every layer and the optimizer's state

        // The layers in graph order: the base's, then the head's (each fed by the one before).
        var layers = infer ? convBase.Layers.ToList() : convBase.Layers.Concat(model.Layers.Skip(1)).ToList();
        var needsGrad = new Dictionary<SymbolicTensor, bool>(ReferenceEqualityComparer.Instance);
        var inputsOf = new SymbolicTensor?[layers.Count][];
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            inputsOf[i] = i < convBase.Layers.Count ? l.Inputs.Select(s => s.Producer is null ? null : s).ToArray() : [layers[i - 1].Output];
            bool inNeeds = inputsOf[i].Any(s => s is not null && needsGrad[s]);
            needsGrad[l.Output] = inNeeds || Trainable(l);
        }

        var fwd = layers.Select(_ => new double[steps]).ToArray();
        var bwd = layers.Select(_ => new double[steps]).ToArray();
        var opt = new double[steps];
        var values = new Dictionary<SymbolicTensor, Tensor>(ReferenceEqualityComparer.Instance);
        var grads = new Dictionary<SymbolicTensor, Tensor>(ReferenceEqualityComparer.Instance);
        var owned = new Dictionary<SymbolicTensor, Tensor>(ReferenceEqualityComparer.Instance);
        Tensor? seed = null;
        for (int s = -3; s < steps; s++)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                var inputs = inputsOf[i].Select(t => t is null ? x : values[t]).ToArray();
                long t0 = Stopwatch.GetTimestamp();
                values[layers[i].Output] = layers[i].Forward(inputs, training: !infer);
                if (s >= 0) fwd[i][s] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
            if (infer) continue;
            grads.Clear();
            var last = values[layers[^1].Output];
            if (seed is null) { seed = new Tensor(last.ShapeArray); seed.Span.Fill(1e-3f); }
            grads[layers[^1].Output] = seed;
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                if (!grads.TryGetValue(layers[i].Output, out var dy)) continue;
                bool need = inputsOf[i].Any(t => t is not null && needsGrad[t]);
                if (!need && !Trainable(layers[i])) continue;
                long t0 = Stopwatch.GetTimestamp();
                layers[i].Backward(dy, need);
                if (s >= 0) bwd[i][s] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (!need) continue;
                for (int k = 0; k < inputsOf[i].Length; k++)
                    if (inputsOf[i][k] is { } t && needsGrad[t] && layers[i].InputGradients[k] is { } g) Contribute(grads, owned, t, g);
            }
            long o0 = Stopwatch.GetTimestamp();
            model.Optimizer!.Apply(model.Parameters);
            if (s >= 0) opt[s] = Stopwatch.GetElapsedTime(o0).TotalMilliseconds;
        }
        Print(layers, fwd, bwd, infer ? 0 : Median(opt), batch, infer, steps, options.Threads());
    }

    private static void Print(List<Layer> layers, double[][] fwd, double[][] bwd, double optimizer, int batch, bool infer, int steps, int threads)
    {
        var table = new ResultTable("layer", "output", "forward ms", "fwd GFLOP/s", "backward ms", "total ms");
        var byKind = new SortedDictionary<string, (double F, double B)>();
        double tf = 0, tb = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            double f = Median(fwd[i]), b = Median(bwd[i]), flop = ForwardFlop(layers[i]) * batch;
            tf += f; tb += b;
            var kind = layers[i] is Conv2D c ? $"Conv2D {c.KernelSize.H}x{c.KernelSize.W}/{c.Strides.H}" : layers[i].ClassName;
            byKind[kind] = (byKind.GetValueOrDefault(kind).F + f, byKind.GetValueOrDefault(kind).B + b);
            table.Add($"{layers[i].Name} ({layers[i].ClassName}{(Trainable(layers[i]) ? ", trainable" : "")})", Tensor.FormatShape(layers[i].Output.Shape),
                ResultTable.Num(f, 3), flop > 0 ? ResultTable.Num(flop / f / 1e6, 1) : "", b > 0 ? ResultTable.Num(b, 3) : "", ResultTable.Num(f + b, 3));
        }
        if (!infer) table.Add("optimizer", "", "", "", "", ResultTable.Num(optimizer, 3));
        table.Add("sum", "", ResultTable.Num(tf, 3), "", ResultTable.Num(tb, 3), ResultTable.Num(tf + tb + optimizer, 3));
        Console.WriteLine($"profile of resnet18, batch {batch}, {(infer ? "inference" : "fine-tune step (last stage + head trainable)")}, median of {steps} steps, {threads} threads");
        table.Print();
        var kinds = new ResultTable("kind", "forward ms", "backward ms", "share of the step");
        foreach (var (kind, (f, b)) in byKind.OrderByDescending(k => k.Value.F + k.Value.B))
            kinds.Add(kind, ResultTable.Num(f, 1), ResultTable.Num(b, 1), ResultTable.Num(100 * (f + b) / (tf + tb + optimizer), 1) + " %");
        kinds.Print();
    }

    private static double ForwardFlop(Layer layer) => layer switch
    {
        Conv2D c => 2.0 * c.Output.Shape[0] * c.Output.Shape[1] * c.Filters * c.KernelSize.H * c.KernelSize.W * c.Input.Shape[^1],
        Dense d => 2.0 * d.Input.Shape[^1] * d.Output.Shape[^1],
        _ => 0,
    };

    private static bool Trainable(Layer layer) => layer.Parameters.Any(p => p.Trainable);

    /// <summary>Adds one consumer's gradient; a second consumer's is summed into a buffer of our own (the layers reuse theirs).</summary>
    private static void Contribute(Dictionary<SymbolicTensor, Tensor> grads, Dictionary<SymbolicTensor, Tensor> owned, SymbolicTensor t, Tensor g)
    {
        if (!grads.TryGetValue(t, out var current)) { grads[t] = g; return; }
        if (!owned.TryGetValue(t, out var acc) || !ReferenceEquals(acc, current))
        {
            if (acc is null || !acc.ShapeArray.SequenceEqual(current.ShapeArray)) owned[t] = acc = new Tensor(current.ShapeArray);
            current.Span.CopyTo(acc.Span);
            grads[t] = acc;
        }
        System.Numerics.Tensors.TensorPrimitives.Add(acc.Span, g.Span, acc.Span);
    }

    private static double Median(double[] v)
    {
        var s = v.ToArray();
        Array.Sort(s);
        return s[s.Length / 2];
    }
}
