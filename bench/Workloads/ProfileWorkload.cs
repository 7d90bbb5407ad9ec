using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>profile</c>: where a training step's time goes. Runs the layers of a chapter model one by one
/// (Forward in order, Backward in reverse from a softmax crossentropy's logit gradient with random labels, the first
/// layer without an input gradient, as the model does), then the optimizer, and prints the median milliseconds of each.
/// Until 2026-12-01 the seed was a constant through the softmax, which cancels it: every layer below saw rounding
/// noise instead of a gradient.
/// Layers run one by one here, so the model's fusion of a first conv with its max pooling's backward is not in these figures.
/// Options: --model mnist|catsdogs|vgg16|resnet18 (ResNet18Profile), --steps N (timed steps), --batch N, --infer (forward only),
/// --hot (also each layer's forward repeated back to back), --ops (the pieces of each convolution), --scaling (1 thread
/// and all threads on alternate steps: each layer's speed-up).
/// </summary>
public sealed class ProfileWorkload : IWorkload
{
    public string Name => "profile";
    public string Description => "time each layer's forward and backward in a training step (--model mnist|catsdogs|vgg16|resnet18, --infer)";

    public void Run(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        string which = options.String("model", "mnist")!;
        bool infer = options.Flag("infer");
        int steps = options.Int("steps", 20);
        if (which == "resnet18") { ResNet18Profile.Run(options, infer, options.Int("steps", 5)); return; }
        var (model, batch, sample, optimizer) = which switch
        {
            "mnist" => ((Sequential)ModelBench.MnistModel(), options.Int("batch", infer ? 256 : 64), new[] { 28, 28, 1 }, "rmsprop"),
            "catsdogs" => (ModelBench.CatsDogsModel(), options.Int("batch", 20), new[] { 150, 150, 3 }, "rmsprop"),
            "vgg16" => (ModelBench.Vgg16Base(150), options.Int("batch", 20), new[] { 150, 150, 3 }, "rmsprop"),
            _ => throw new ArgumentException($"profile: unknown --model '{which}'. Expected mnist, catsdogs, vgg16 or resnet18."),
        };
        model.Compile(optimizer: optimizer, loss: "mse");
        var (x, _) = ModelBench.RandomBatch(batch, sample, 1);
        model.RunForward(x, training: !infer); // builds the layers
        var layers = model.Layers;
        var fwd = new double[layers.Count][];
        var bwd = new double[layers.Count][];
        var opt = new double[steps];
        for (int i = 0; i < layers.Count; i++) { fwd[i] = new double[steps]; bwd[i] = new double[steps]; }
        var grads = new Dictionary<Layer, Tensor>();
        var outShapes = new int[layers.Count][];
        int warmup = 3;
        // --scaling: odd steps run on one thread, even steps on all, so both see the same machine (it drifts).
        bool scaling = options.Flag("scaling");
        int threads = options.Threads();
        if (scaling) steps *= 2;
        var stepThreads = new int[steps];
        for (int i = 0; i < layers.Count; i++) { fwd[i] = new double[steps]; bwd[i] = new double[steps]; }
        opt = new double[steps];
        for (int s = -warmup; s < steps; s++)
        {
            if (scaling) Backends.Cpu.Workers.SetThreadCount(s % 2 != 0 ? 1 : threads);
            if (s >= 0) stepThreads[s] = Backends.Cpu.Workers.ThreadCount;
            Tensor h = x;
            for (int i = 0; i < layers.Count; i++)
            {
                double t0 = BenchClock.Now();
                h = layers[i].Forward([h], training: !infer);
                if (s >= 0) fwd[i][s] = BenchClock.Since(t0) * 1e3;
                outShapes[i] = h.ShapeArray;
            }
            if (infer) continue;
            var last = layers[^1];
            if (!grads.TryGetValue(last, out var g))
            {
                // A seed like a training step's: dLoss/dLogits of a softmax crossentropy, (p - onehot) / batch, with
                // random labels, handed to the last layer as its logit gradient. (A constant seed through the softmax
                // cancels to zero and made every layer below see a gradient of rounding noise.)
                g = new Tensor(h.ShapeArray);
                var rng = new Random(1);
                int classes = h.ShapeArray[^1];
                for (int r = 0; r < h.ShapeArray[0]; r++)
                    for (int c = 0; c < classes; c++)
                        g.Span[r * classes + c] = (1f / classes - (rng.Next(classes) == c ? 1f : 0f)) / h.ShapeArray[0];
                grads[last] = g;
            }
            Tensor dy = g;
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                double t0 = BenchClock.Now();
                layers[i].Backprop(dy, new BackwardArgs(NeedInputGradients: i > 0, FromLogits: i == layers.Count - 1));
                if (s >= 0) bwd[i][s] = BenchClock.Since(t0) * 1e3;
                if (i > 0) dy = layers[i].InputGradients[0]!;
            }
            double o0 = BenchClock.Now();
            model.Optimizer!.Apply(model.Parameters);
            if (s >= 0) opt[s] = BenchClock.Since(o0) * 1e3;
        }
        if (scaling)
        {
            Backends.Cpu.Workers.SetThreadCount(threads);
            PrintScaling(layers, fwd, bwd, opt, stepThreads, threads, infer, which, batch);
            return;
        }
        var table = new ResultTable("layer", "output", "forward ms", "backward ms", "total ms");
        double tf = 0, tb = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            double f = Median(fwd[i]), b = infer ? 0 : Median(bwd[i]);
            tf += f; tb += b;
            table.Add($"{layers[i].Name} ({layers[i].ClassName})", Tensor.FormatShape(outShapes[i]),
                ResultTable.Num(f, 3), ResultTable.Num(b, 3), ResultTable.Num(f + b, 3));
        }
        double o = infer ? 0 : Median(opt);
        table.Add("optimizer", "", "", "", ResultTable.Num(o, 3));
        table.Add("sum", "", ResultTable.Num(tf, 3), ResultTable.Num(tb, 3), ResultTable.Num(tf + tb + o, 3));
        Console.WriteLine($"profile of {which}, batch {batch}, {(infer ? "inference" : "training")}, median of {steps} steps, {options.Threads()} threads");
        table.Print();
        if (options.Flag("hot"))
        {
            // Each layer's forward repeated back to back (hot caches, busy workers), to compare with the in-step time.
            Tensor hx = x;
            var hot = new ResultTable("layer", "forward ms, repeated");
            foreach (var layer in layers)
            {
                var input = hx;
                hot.Add(layer.Name, ResultTable.Num(Timing.MeasureBatched(() => layer.Forward([input], !infer), 0.05, 1, 5).Median * 1e3, 3));
                hx = layer.Forward([input], !infer);
            }
            hot.Print();
        }
        if (options.Flag("ops")) ConvPieces(layers, outShapes, x, batch);
    }

    /// <summary>Each layer's median on one thread and on all, from interleaved steps, and the speed-up.</summary>
    private static void PrintScaling(IReadOnlyList<Layer> layers, double[][] fwd, double[][] bwd, double[] opt, int[] stepThreads,
        int threads, bool infer, string which, int batch)
    {
        double M(double[] v, int t) => Median(v.Where((_, s) => stepThreads[s] == t).ToArray());
        var table = new ResultTable("layer", "fwd 1 thread", $"fwd {threads}", "speed-up", "bwd 1 thread", $"bwd {threads}", "speed-up");
        double[] sum = new double[4];
        for (int i = 0; i < layers.Count; i++)
        {
            double f1 = M(fwd[i], 1), fn = M(fwd[i], threads), b1 = infer ? 0 : M(bwd[i], 1), bn = infer ? 0 : M(bwd[i], threads);
            sum[0] += f1; sum[1] += fn; sum[2] += b1; sum[3] += bn;
            table.Add(layers[i].Name, ResultTable.Num(f1, 3), ResultTable.Num(fn, 3), ResultTable.Num(f1 / fn, 2),
                ResultTable.Num(b1, 3), ResultTable.Num(bn, 3), infer ? "" : ResultTable.Num(b1 / bn, 2));
        }
        if (!infer) table.Add("optimizer", "", "", "", ResultTable.Num(M(opt, 1), 3), ResultTable.Num(M(opt, threads), 3), ResultTable.Num(M(opt, 1) / M(opt, threads), 2));
        table.Add("sum", ResultTable.Num(sum[0], 3), ResultTable.Num(sum[1], 3), ResultTable.Num(sum[0] / sum[1], 2),
            ResultTable.Num(sum[2], 3), ResultTable.Num(sum[3], 3), infer ? "" : ResultTable.Num(sum[2] / sum[3], 2));
        Console.WriteLine($"scaling of {which}, batch {batch}, {(infer ? "inference" : "training")}: 1 thread and {threads} threads on alternate steps, ms (median)");
        table.Print();
    }

    /// <summary>Times the pieces of each Conv2D layer's forward and backward pass (im2col, GEMMs, col2im, ...).</summary>
    private static void ConvPieces(IReadOnlyList<Layer> layers, int[][] outShapes, Tensor x, int batch)
    {
        var table = new ResultTable("conv", "im2col", "fwd gemm (direct)", "relu bwd + bias grad", "wgrad gemm", "dgrad gemm", "col2im");
        int[] inShape = x.ShapeArray;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is Conv2D conv)
            {
                var g = Backends.Cpu.ConvGeometry.Create(batch, inShape[1], inShape[2], inShape[3], conv.KernelSize.H, conv.KernelSize.W,
                    conv.Strides.H, conv.Strides.W, conv.Padding);
                int f = conv.Filters, k = g.PatchSize;
                // One im2col chunk, as Conv2DOp runs it, timed and scaled to the whole batch.
                int nb = Backends.Cpu.Conv2DOp.ChunkImages(g), m = nb * g.OutH * g.OutW;
                double scale = (double)g.Batch / nb;
                var xin = new Tensor(inShape);
                xin.Span.Fill(0.5f);
                var col = new float[m * k];
                var w = new float[k * f];
                var y = new float[m * f];
                var dz = new float[m * f];
                var db = new float[f];
                var dx = new float[xin.Size];
                double T(Action a) => Timing.MeasureBatched(a, 0.05, 1, 5).Median * 1e3 * scale;
                var yFull = new Tensor(g.Batch, g.OutH, g.OutW, f);
                float[]? ws = null;
                var kernelCopy = new Tensor(conv.Kernel.Value.ShapeArray);
                if (Environment.GetEnvironmentVariable("PROFILE_REAL_KERNEL") == "1") conv.Kernel.Value.Span.CopyTo(kernelCopy.Span);
                table.Add($"{conv.Name} whole op", ResultTable.Num(T(() => Backends.Cpu.Conv2DOp.ForwardDirect(xin, kernelCopy, null, yFull, g, Backends.Cpu.Epilogue.Relu, ref ws)) / scale, 3), "", "", "", "", "");
                // The backward pass as the layer runs it (implicit GEMMs, Winograd where it applies), each gradient alone.
                var dyFull = new Tensor(g.Batch, g.OutH, g.OutW, f);
                dyFull.Span.Fill(1e-3f);
                var dKernel = new Tensor(conv.Kernel.Value.ShapeArray);
                var dxFull = new Tensor(inShape);
                table.Add($"{conv.Name} backward op", "", "", "",
                    ResultTable.Num(T(() => Backends.Cpu.Conv2DOp.Backward(xin, kernelCopy, dyFull, null, dKernel, null, g, ref ws)) / scale, 3),
                    ResultTable.Num(T(() => Backends.Cpu.Conv2DOp.Backward(xin, kernelCopy, dyFull, dxFull, null, null, g, ref ws)) / scale, 3) + " (+col2im)", "");
                table.Add($"{conv.Name} ({nb} img/chunk)",
                    ResultTable.Num(T(() => Backends.Cpu.Conv2DOp.Im2Col(xin.Data, g, 0, nb, col)), 3),
                    ResultTable.Num(T(() => Backends.Cpu.Gemm.Multiply(false, false, m, f, k, col, k, w, f, y, f, false, db, Backends.Cpu.Epilogue.Relu)), 3),
                    ResultTable.Num(T(() => DeepSharp.Backends.Cpu.VectorOps.ReluBackwardColumnSums(y, y, dz, m, f, db)), 3),
                    ResultTable.Num(T(() => Backends.Cpu.Gemm.Multiply(true, false, k, f, m, col, k, dz, f, w, f)), 3),
                    ResultTable.Num(T(() => Backends.Cpu.Gemm.Multiply(false, true, m, k, f, dz, f, w, f, col, k)), 3),
                    ResultTable.Num(T(() => Backends.Cpu.Conv2DOp.Col2Im(col, g, 0, nb, dx)), 3));
            }
            inShape = outShapes[i];
        }
        Console.WriteLine("conv pieces, ms per call on the whole batch:");
        table.Print();
    }

    private static double Median(double[] v)
    {
        var s = v.ToArray();
        Array.Sort(s);
        return s[s.Length / 2];
    }
}
