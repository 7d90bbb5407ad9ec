using System.Globalization;
using DeepSharp.Data;
using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.UserCode.Tests;

/// <summary>A user-written dataset source (DatasetSource), through the public API only: a CSV file of points.</summary>
public class DatasetSourceTests
{
    /// <summary>One element per line "x1,x2,label"; a bad line is an error naming the file and the line.</summary>
    private sealed class CsvPoints(string path) : DatasetSource
    {
        private readonly string[] _lines = File.ReadAllLines(path);
        public int Passes { get; private set; }

        public override long Cardinality => _lines.Length;

        protected override IEnumerable<(Tensor X, Tensor? Y)> ReadElements()
        {
            Passes++;
            for (int i = 0; i < _lines.Length; i++)
            {
                var parts = _lines[i].Split(',');
                if (parts.Length != 3) throw new BadLineException(path, i + 1, _lines[i]);
                var v = parts.Select(p => float.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                yield return (Tensor.FromArray(v[..2], 2), Tensor.FromArray(v[2..], 1));
            }
        }
    }

    private sealed class BadLineException(string path, int line, string text)
        : Exception($"{path}, line {line}: expected 'x1,x2,label' but got '{text}'."), IFileError
    {
        public string Path { get; } = path;
    }

    /// <summary>A source whose elements are batches of 4 rows (the last one of 2).</summary>
    private sealed class Batches : DatasetSource
    {
        public override long Cardinality => 3;
        protected override bool ElementsAreBatches => true;
        protected override long SampleCount => 10;

        protected override IEnumerable<(Tensor X, Tensor? Y)> ReadElements()
        {
            for (int b = 0; b < 3; b++)
            {
                int rows = b < 2 ? 4 : 2;
                var x = new Tensor(rows, 1);
                for (int r = 0; r < rows; r++) x[r, 0] = b * 4 + r;
                yield return (x, null);
            }
        }
    }

    private static string WritePoints(int n, string? badLine = null)
    {
        string path = Path.Combine(Path.GetTempPath(), $"deepsharp-usercode-{Guid.NewGuid():N}.csv");
        var rnd = new Random(3);
        var lines = Enumerable.Range(0, n).Select(i =>
        {
            float a = (float)rnd.NextDouble() * 2 - 1, b = (float)rnd.NextDouble() * 2 - 1;
            return string.Create(CultureInfo.InvariantCulture, $"{a},{b},{(a + b > 0 ? 1 : 0)}");
        }).ToList();
        if (badLine is not null) lines[n / 2] = badLine;
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void ASourceReadsItsFileEachPassAndTakesEveryStage()
    {
        string path = WritePoints(50);
        try
        {
            var source = new CsvPoints(path);
            var first = source.ToList();
            Assert.Equal(50, first.Count);
            var line0 = File.ReadLines(path).First().Split(',').Select(p => float.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(line0, new[] { first[0].X[0], first[0].X[1], first[0].Y![0] });

            var batched = source.Shuffle(64, seed: 1).Batch(16);
            Assert.Equal(4, batched.Cardinality);
            var sizes = batched.Select(b => b.X.Dim(0)).ToList();
            Assert.Equal(new[] { 16, 16, 16, 2 }, sizes);
            Assert.Equal(50, batched.Unbatch().Cardinality);
            Assert.Equal(2, source.Passes);   // ToList and the batched pass; Cardinality reads no pass

            // Fit, Evaluate and Predict read it like any dataset: 2 epochs of 4 batches.
            var model = new Sequential(new Dense(1, activation: "sigmoid", inputDim: 2));
            model.Compile("rmsprop", "binary_crossentropy", ["accuracy"]);
            var history = model.Fit(batched, epochs: 2, verbose: 0);
            Assert.Equal(2, history["loss"].Count);
            Assert.Equal(4, source.Passes);
            Assert.Equal((50, 1), (model.Predict(source.Batch(10)).Dim(0), model.Predict(source.Batch(10)).Dim(1)));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void BatchedElementsCountTheirSamples()
    {
        var ds = new Batches();
        Assert.Equal(10, ds.Unbatch().Cardinality);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), ds.Unbatch().Select(e => e.X[0]));
    }

    [Fact]
    public void AnErrorThatNamesItsFileSurfacesUnchanged()
    {
        string path = WritePoints(20, badLine: "0.5;0.25;1");
        try
        {
            var e = Assert.Throws<BadLineException>(() => new CsvPoints(path).Batch(4).ToList());
            Assert.Contains("line 11", e.Message);
            Assert.Equal(path, e.Path);
            // Through a Map, too: an IFileError is not wrapped in a DatasetException.
            Assert.Throws<BadLineException>(() => new CsvPoints(path).Map(x => x * 2f).ToList());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MapIntoFillsPooledBuffersThatBatchesCopy()
    {
        var ds = Dataset.Range(10).MapInto([2, 1], (index, _, output) =>
        {
            float i = index.Span[0];
            output[0, 0] = i;
            output[1, 0] = -i;
            return Tensor.FromArray([i % 2], 1);
        }, numParallelCalls: 3).Batch(4);
        // Through Fit's reader (buffers handed back and reused) and through foreach (never reused): the same batches.
        IBatchGenerator reader = ds;
        for (int pass = 0; pass < 2; pass++)
            for (int b = 0; b < 3; b++)
            {
                var (x, y) = reader.Next();
                int rows = b < 2 ? 4 : 2;
                Assert.Equal(new[] { rows, 2, 1 }, x.Shape.ToArray());
                for (int r = 0; r < rows; r++)
                {
                    float i = b * 4 + r;
                    Assert.Equal(new[] { i, -i }, new[] { x[r, 0, 0], x[r, 1, 0] });
                    Assert.Equal(i % 2, y![r, 0]);
                }
            }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)-i), ds.Unbatch().Select(e => e.X[1, 0]));

        var failing = Dataset.Range(3).MapInto([1], (index, _, output) => index.Span[0] == 1 ? throw new InvalidOperationException("odd") : null);
        var e = Assert.Throws<DatasetException>(() => failing.ToList());
        Assert.Contains("element 1", e.Message);
        Assert.Throws<ArgumentException>(() => Dataset.Range(3).MapInto([-1], (_, _, _) => null));
    }
}
