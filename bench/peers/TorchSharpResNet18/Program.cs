// Peer for DeepSharp's resnet18-infer and resnet18-finetune workloads: TorchSharp (libtorch CPU), the same network and
// fine-tuning split as ../torch_resnet18.py (see there), random data and weights.
// Usage: dotnet TorchSharpResNet18.dll [--threads 2] [--infer-batch 32] [--infer-iters 5] [--batch 16] [--steps 10]
using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

static class Program
{
    static int Main(string[] argv)
    {
        int threads = IntArg(argv, "--threads", 2);
        int inferBatch = IntArg(argv, "--infer-batch", 32), inferWarmup = IntArg(argv, "--infer-warmup", 2), inferIters = IntArg(argv, "--infer-iters", 5);
        int batch = IntArg(argv, "--batch", 16), warmup = IntArg(argv, "--warmup", 3), steps = IntArg(argv, "--steps", 10);
        int size = IntArg(argv, "--size", 224);
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}  libtorch {torch.__version__}  .NET {Environment.Version}  threads={torch.get_num_threads()}");

        var net = new ResNet18Base(size);
        Console.WriteLine($"resnet18 base params: {net.parameters().Sum(p => p.numel())}");

        // ---- inference: the base, eval mode, no grad ----
        net.eval();
        var sw = new Stopwatch();
        using (torch.no_grad())
        {
            var xi = torch.rand(inferBatch, 3, size, size).mul_(255);
            using (var o = net.forward(xi)) Console.WriteLine($"resnet18 output: [{string.Join(",", o.shape)}]");
            for (int i = 0; i < inferWarmup - 1; i++) { using var o = net.forward(xi); }
            var times = new List<double>();
            var s0 = CpuSnap();
            for (int i = 0; i < inferIters; i++)
            {
                sw.Restart();
                using var o = net.forward(xi);
                times.Add(sw.Elapsed.TotalSeconds);
            }
            string rep = CpuReport(s0, CpuSnap());
            double med = Median(times);
            Console.WriteLine($"resnet18 infer ({size}x{size}, batch {inferBatch}, {inferIters} iters): median {med:F4}s/batch  min {times.Min():F4}s  " +
                              $"-> {inferBatch / med:F1} img/s (median), {inferBatch / times.Min():F1} img/s (best)  {rep}");
            xi.Dispose();
        }

        // ---- fine-tuning: last stage + head trainable ----
        var head = Sequential(("fc1", Linear(512, 256)), ("relu", ReLU()), ("fc2", Linear(256, 1)));
        foreach (var p in net.parameters()) p.requires_grad = false;
        foreach (var p in net.Layer4.parameters()) p.requires_grad = true;
        net.eval();            // frozen batch norm: moving statistics, never updated
        net.Layer4.train();    // the unfrozen stage's batch norm: batch statistics
        head.train();
        var trainable = net.parameters().Concat(head.parameters()).Where(p => p.requires_grad).ToList();
        Console.WriteLine($"fine-tune trainable params: {trainable.Sum(p => p.numel())}");
        var opt = torch.optim.RMSProp(trainable, lr: 1e-5, alpha: 0.9, eps: 1e-7);
        var x = torch.rand(batch, 3, size, size).mul_(255);
        var y = torch.randint(0, 2, new long[] { batch }).to_type(ScalarType.Float32);

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = F.binary_cross_entropy_with_logits(head.forward(net.forward(x)).squeeze(1), y);
            loss.backward();
            opt.step();
            loss.item<float>();
        }

        for (int i = 0; i < warmup; i++) Step();
        var st = new List<double>();
        var s1 = CpuSnap();
        for (int i = 0; i < steps; i++)
        {
            sw.Restart();
            Step();
            st.Add(sw.Elapsed.TotalSeconds);
        }
        string r1 = CpuReport(s1, CpuSnap());
        double m1 = Median(st);
        Console.WriteLine($"resnet18 finetune step (batch {batch}, {steps} steps after {warmup} warm-up): median {m1:F4}s  mean {st.Average():F4}s  " +
                          $"min {st.Min():F4}s  max {st.Max():F4}s  -> {batch / m1:F1} img/s (median)  {r1}");
        return 0;
    }

    sealed class BasicBlock : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d bn1, bn2;
        private readonly Module<Tensor, Tensor>? shortcut;

        public BasicBlock(long cin, long cout, long stride) : base("block")
        {
            conv1 = Conv2d(cin, cout, 3, stride: stride, padding: 1, bias: false);
            bn1 = BatchNorm2d(cout);
            conv2 = Conv2d(cout, cout, 3, stride: 1, padding: 1, bias: false);
            bn2 = BatchNorm2d(cout);
            if (stride != 1 || cin != cout)
                shortcut = Sequential(("conv", Conv2d(cin, cout, 1, stride: stride, bias: false)), ("bn", BatchNorm2d(cout)));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var y = F.relu(bn1.forward(conv1.forward(x)));
            y = bn2.forward(conv2.forward(y));
            return F.relu(y.add_(shortcut is null ? x : shortcut.forward(x))).MoveToOuterDisposeScope();
        }
    }

    sealed class ResNet18Base : Module<Tensor, Tensor>
    {
        private readonly Tensor mean;
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn1;
        private readonly Sequential layer1, layer2, layer3, layer4;

        public Sequential Layer4 => layer4;

        public ResNet18Base(long size) : base("resnet18")
        {
            mean = torch.rand(1, 3, size, size).mul_(255);
            conv1 = Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
            bn1 = BatchNorm2d(64);
            long cin = 64;
            Sequential Stage(int blocks, long cout, long stride)
            {
                var list = new List<(string, Module<Tensor, Tensor>)>();
                for (int b = 0; b < blocks; b++) { list.Add(($"{b}", new BasicBlock(cin, cout, b == 0 ? stride : 1))); cin = cout; }
                return Sequential(list);
            }
            layer1 = Stage(2, 64, 1);
            layer2 = Stage(2, 128, 2);
            layer3 = Stage(2, 256, 2);
            layer4 = Stage(3, 512, 2);
            register_buffer("mean", mean);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var h = x.flip(1).sub_(mean);                     // RGB -> BGR, minus the mean image (0-255 inputs)
            h = F.max_pool2d(F.relu(bn1.forward(conv1.forward(h))), 3, stride: 2, padding: 1);
            h = layer4.forward(layer3.forward(layer2.forward(layer1.forward(h))));
            return F.adaptive_avg_pool2d(h, 1).flatten(1).MoveToOuterDisposeScope();
        }
    }

    static int IntArg(string[] a, string name, int def)
    {
        int i = Array.IndexOf(a, name);
        return i >= 0 && i + 1 < a.Length ? int.Parse(a[i + 1]) : def;
    }

    readonly record struct Snap(double Wall, double Own, long MinFlt, double Busy);
    static readonly Stopwatch Clock = Stopwatch.StartNew();

    static Snap CpuSnap()
    {
        var v = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        double busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / 100.0; // USER_HZ = 100 on Linux
        var st = File.ReadAllText("/proc/self/stat");
        var f = st[(st.LastIndexOf(')') + 2)..].Split(' ');
        return new Snap(Clock.Elapsed.TotalSeconds, (long.Parse(f[11]) + long.Parse(f[12])) / 100.0, long.Parse(f[7]), busy);
    }

    static string CpuReport(Snap a, Snap b)
    {
        double wall = b.Wall - a.Wall, own = b.Own - a.Own, busy = b.Busy - a.Busy;
        return $"own_cpu/wall={own / wall:F2} minflt={b.MinFlt - a.MinFlt} other_cpu/wall={Math.Max(busy - own, 0) / wall:F2}";
    }

    static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
