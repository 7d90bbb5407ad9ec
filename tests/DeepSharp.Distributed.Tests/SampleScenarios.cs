using DeepSharp.Callbacks;
using DeepSharp.Data;
using DeepSharp.Training;
using DeepSharp.Vision;
using DeepSharp.Worlds;

namespace DeepSharp.DistributedTests;

/// <summary>
/// Every sample once per epoch over the ranks (arrays, a folder iterator, a plain generator), and only rank 0 writing
/// files: rank 0 prints "CHECK ..." lines.
/// </summary>
internal static class SampleScenarios
{
    public static void Run(DistributedWorld world, string dir)
    {
        const int n = 23, batch = 5, epochs = 2;
        // Arrays: sample i is the value i. Each rank starts from its own random source: Fit agrees on rank 0's seed.
        var x = new Tensor(n, 1);
        for (int i = 0; i < n; i++) x.Data[i] = i;
        var arrays = new ShardedBatches(new ArrayBatches(x, null, 0, n, batch, shuffle: true, new Random(100 + world.Rank)), world);
        Report(world, "arrays", arrays, n, epochs, (xb, row) => (int)xb.Data[row]);

        // A folder iterator with a different seed on each rank: image i is filled with 10·i.
        string images = Path.Combine(dir, $"samples-rank{world.Rank}");
        TrainScenarios.WriteImageFolder(images, n);
        using var it = new ImageDataGenerator().FlowFromDirectory(images, targetSize: (6, 6), colorMode: ColorMode.Grayscale,
            batchSize: batch, seed: 7 + world.Rank, classMode: ClassMode.Binary);
        Report(world, "folder", new ShardedBatches(it, world), n, epochs, (xb, row) => (int)MathF.Round(xb.Data[row * 36] / 10));

        // Any other generator is read whole and sliced (it yields the same batches on every rank).
        Report(world, "generator", new ShardedBatches(new Shuffled(n, batch), world), n, epochs, (xb, row) => (int)xb.Data[row]);

        // Only rank 0 writes: each rank gives its own folder; rank 1's must stay empty.
        string mine = Path.Combine(dir, $"out-rank{world.Rank}");
        Directory.CreateDirectory(mine);
        var (model, mx, my) = TrainScenarios.SmallDense(9);
        model.Fit(mx, my, batchSize: 4, epochs: 2, verbose: 1, callbacks:
        [
            new CSVLogger(Path.Combine(mine, "log.csv")),
            new ModelCheckpoint(Path.Combine(mine, "model.keras")),
            new BackupAndRestore(Path.Combine(mine, "backup"), deleteCheckpoint: false),
        ]);
        // Resuming: BackupAndRestore reads rank 0's backup (epoch 2 done); every rank goes on from epoch 3.
        var resumed = model.Fit(mx, my, batchSize: 4, epochs: 3, verbose: 0, callbacks: [new BackupAndRestore(Path.Combine(mine, "backup"), deleteCheckpoint: false)]);
        var epochsRun = new double[world.Size];
        epochsRun[world.Rank] = resumed.Epochs.Count == 1 && resumed.Epochs[0] == 3 ? 1 : 0;
        world.AllReduceSum(epochsRun);
        if (world.Rank == 0) CheckLine.Write($"CHECK resumed {string.Join(" ", epochsRun)}");
        var files = new double[world.Size];
        files[world.Rank] = Directory.EnumerateFiles(mine, "*", SearchOption.AllDirectories).Count();
        world.AllReduceSum(files);
        if (world.Rank == 0) CheckLine.Write($"CHECK files {string.Join(" ", files)}");
    }

    /// <summary>Reads <paramref name="epochs"/> epochs and prints how often the ranks together saw each sample per epoch.</summary>
    private static void Report(IWorld world, string name, ShardedBatches data, int n, int epochs, Func<Tensor, int, int> id)
    {
        int min = int.MaxValue, max = 0;
        for (int e = 0; e < epochs; e++)
        {
            var seen = new double[n];
            for (int s = 0; s < data.StepsPerEpoch; s++)
            {
                var (xb, _) = data.Next();
                for (int row = 0; row < xb.Dim(0); row++) seen[id(xb, row)]++;
            }
            world.AllReduceSum(seen);
            min = Math.Min(min, (int)seen.Min());
            max = Math.Max(max, (int)seen.Max());
        }
        if (world.Rank == 0) CheckLine.Write($"CHECK samples-{name} min {min} max {max}");
    }

    /// <summary>A generator that is not an IShardable: samples 0..n-1 in a fixed shuffled order, batch by batch.</summary>
    private sealed class Shuffled(int n, int batch) : IBatchGenerator
    {
        private readonly int[] _order = Enumerable.Range(0, n).OrderBy(i => (i * 7919) % 31).ToArray();
        private int _position;
        public int StepsPerEpoch => (n + batch - 1) / batch;
        public int SampleCount => n;
        public void Reset() => _position = 0;

        public (Tensor X, Tensor? Y) Next()
        {
            if (_position >= n) _position = 0;
            int count = Math.Min(batch, n - _position);
            var x = new Tensor(count, 1);
            for (int i = 0; i < count; i++) x.Data[i] = _order[_position + i];
            _position += count;
            return (x, null);
        }
    }
}
