using DeepSharp.Data;

namespace DeepSharp.Tests.Data;

/// <summary>The tf.data-like pipeline's stages: what each yields, in which order, with which cardinality.</summary>
public class DatasetTests
{
    /// <summary>Rows 0..n-1 of x hold their own index; y holds index * 10.</summary>
    private static Dataset Numbers(int n)
    {
        var x = new Tensor(n, 2);
        var y = new Tensor(n);
        for (int i = 0; i < n; i++) { x[i, 0] = i; x[i, 1] = -i; y[i] = 10 * i; }
        return Dataset.FromTensors(x, y);
    }

    private static List<float> Firsts(IEnumerable<(Tensor X, Tensor? Y)> ds) => ds.SelectMany(e => Rows(e.X)).ToList();

    /// <summary>The first value of every row of a batch (or of a single element).</summary>
    private static IEnumerable<float> Rows(Tensor x)
    {
        if (x.Rank <= 1) return [x.Data[0]];
        int per = x.Size / x.Dim(0);
        return Enumerable.Range(0, x.Dim(0)).Select(r => x.Data[r * per]);
    }

    [Fact]
    public void FromTensors_YieldsRowsInOrder_WithTheirTargets()
    {
        var elements = Numbers(5).ToList();
        Assert.Equal(5, elements.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal([2], elements[i].X.Shape.ToArray());
            Assert.Equal([i, -i], elements[i].X.Span.ToArray());
            Assert.Equal(10f * i, elements[i].Y!.Data[0]);
            Assert.Equal(0, elements[i].Y!.Rank);
        }
        Assert.Equal(5, Numbers(5).Cardinality);
    }

    [Fact]
    public void Batch_StacksRows_LastBatchSmaller_OrDropped()
    {
        var batches = Numbers(10).Batch(4).ToList();
        Assert.Equal([4, 4, 2], batches.Select(b => b.X.Dim(0)));
        Assert.Equal([4, 2], batches[0].X.Shape.ToArray());
        Assert.Equal([4], batches[0].Y!.Shape.ToArray());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), Firsts(batches));
        Assert.Equal([80f, 90f], batches[2].Y!.Span.ToArray());
        Assert.Equal(3, Numbers(10).Batch(4).Cardinality);

        var dropped = Numbers(10).Batch(4, dropRemainder: true).ToList();
        Assert.Equal([4, 4], dropped.Select(b => b.X.Dim(0)));
        Assert.Equal(2, Numbers(10).Batch(4, dropRemainder: true).Cardinality);
    }

    [Fact]
    public void Batches_ReadWithForeach_AreNeverOverwritten()
    {
        // foreach never releases a batch: every batch keeps its own values after the pass.
        var kept = Numbers(12).Batch(3).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), Firsts(kept));
        Assert.Equal(4, kept.Select(b => b.X.Data).Distinct().Count());
    }

    [Fact]
    public void Batch_ReusesItsBuffers_WhenReadAsAGenerator()
    {
        IBatchGenerator g = Numbers(12).Batch(3);
        var first = g.Next().X.Data;
        for (int i = 0; i < 10; i++) g.Next();
        var later = g.Next().X;     // call 12: the last batch of the third pass
        Assert.Same(first, later.Data);   // the released batch's storage came back from the pool
        Assert.Equal([9f, -9f, 10f, -10f, 11f, -11f], later.Span.ToArray());   // and holds the right rows
        Assert.Equal([0f, 3f, 6f, 9f], Enumerable.Range(0, 4).Select(_ => g.Next().X.Data[0]));
    }

    [Fact]
    public void Batch_OfDifferentShapes_NamesTheElement()
    {
        var ds = Dataset.Range(3).Map(i => new Tensor((int)i.Data[0] + 1)).Batch(3);
        var e = Assert.Throws<DatasetException>(() => ds.ToList());
        Assert.Contains("element 1 of batch 0", e.Message);
        Assert.Contains("(2)", e.Message);
        Assert.Contains("(1)", e.Message);
    }

    [Fact]
    public void Unbatch_UndoesBatch()
    {
        var rows = Numbers(7).Batch(3).Unbatch().ToList();
        Assert.Equal(7, rows.Count);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (float)i), Firsts(rows));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => 10f * i), rows.Select(r => r.Y!.Data[0]));
        Assert.Equal([2], rows[0].X.Shape.ToArray());
        Assert.Equal(7, Numbers(7).Batch(3).Unbatch().Cardinality);
        Assert.Equal(Dataset.UnknownCardinality, Dataset.FromTensors(new Tensor(2, 3)).Unbatch().Cardinality);
    }

    [Fact]
    public void TakeAndSkip_SplitTheElements()
    {
        Assert.Equal([0f, 1f, 2f], Firsts(Numbers(10).Take(3)));
        Assert.Equal([7f, 8f, 9f], Firsts(Numbers(10).Skip(7)));
        Assert.Equal(10, Numbers(10).Take(-1).Count());
        Assert.Empty(Numbers(10).Skip(-1));
        Assert.Equal(10, Numbers(10).Take(20).Count());
        Assert.Equal(3, Numbers(10).Take(3).Cardinality);
        Assert.Equal(0, Numbers(10).Skip(12).Cardinality);
        Assert.Equal(2, Numbers(10).Batch(4).Skip(1).Cardinality);
    }

    [Fact]
    public void Repeat_ConcatenatesPasses_AndEndlessNeedsSteps()
    {
        Assert.Equal([0f, 1f, 2f, 0f, 1f, 2f], Firsts(Numbers(3).Repeat(2)));
        Assert.Equal(6, Numbers(3).Repeat(2).Cardinality);
        Assert.Equal(Dataset.InfiniteCardinality, Numbers(3).Repeat().Cardinality);
        Assert.Equal(7, Numbers(3).Repeat().Take(7).Count());
        Assert.Empty(Numbers(0).Repeat());   // an empty dataset repeated forever is empty, not a hang
        var e = Assert.Throws<InvalidOperationException>(() => ((IBatchGenerator)Numbers(3).Repeat()).StepsPerEpoch);
        Assert.Contains("stepsPerEpoch", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(100)]
    public void Shuffle_YieldsEveryElementOnce_NewOrderEachPass_SameForASeed(int bufferSize)
    {
        var ds = Numbers(50).Shuffle(bufferSize, seed: 3);
        var pass1 = Firsts(ds);
        var pass2 = Firsts(ds);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), pass1.Order());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), pass2.Order());
        if (bufferSize == 1) Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), pass1);   // a buffer of 1 keeps the order
        else Assert.NotEqual(pass1, pass2);                                                          // reshuffled each pass
        Assert.Equal(pass1, Firsts(Numbers(50).Shuffle(bufferSize, seed: 3)));                       // the same seed: the same orders
        if (bufferSize > 1) Assert.NotEqual(pass1, Firsts(Numbers(50).Shuffle(bufferSize, seed: 4)));
        var fixedOrder = Numbers(50).Shuffle(bufferSize, seed: 3, reshuffleEachIteration: false);
        Assert.Equal(Firsts(fixedOrder), Firsts(fixedOrder));
        // The targets stay with their inputs.
        Assert.All(ds, e => Assert.Equal(e.X.Data[0] * 10, e.Y!.Data[0]));
    }

    [Fact]
    public void Shuffle_WithASmallBuffer_KeepsElementsNearTheirPlace()
    {
        // tf's buffer algorithm: element i can come out no earlier than position i - (bufferSize - 1).
        var order = Firsts(Numbers(200).Shuffle(5, seed: 1));
        for (int pos = 0; pos < order.Count; pos++) Assert.True(order[pos] <= pos + 4, $"element {order[pos]} at position {pos}");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    [InlineData(Dataset.Autotune)]
    public void Map_AppliesTheFunctionInOrder(int? parallel)
    {
        var mapped = Numbers(40).Map((x, y) => (x * 2f, y! + 1f), parallel).ToList();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => 2f * i), mapped.Select(e => e.X.Data[0]));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => 10f * i + 1), mapped.Select(e => e.Y!.Data[0]));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => -(float)i), Numbers(40).Map(x => x, parallel).Select(e => e.X.Data[1]));
    }

    [Fact]
    public void Map_InParallel_RunsSeveralCallsAtOnce()
    {
        int running = 0, most = 0;
        var ds = Dataset.Range(16).Map(x =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            SpinWait.SpinUntil(() => Volatile.Read(ref most) >= 2, 2000);   // bounded: wait for a second call to start
            Interlocked.Decrement(ref running);
            return x;
        }, numParallelCalls: 2);
        Assert.Equal(16, ds.Count());
        Assert.Equal(2, most);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(3)]
    public void Map_Exception_NamesTheElement(int? parallel)
    {
        var ds = Numbers(10).Map(x => x.Data[0] == 6 ? throw new FormatException("bad value") : x, parallel);
        var e = Assert.Throws<DatasetException>(() => ds.ToList());
        Assert.Equal(6, e.ElementIndex);
        Assert.Contains("element 6", e.Message);
        Assert.Contains("bad value", e.Message);
        Assert.IsType<FormatException>(e.InnerException);
    }

    [Fact]
    public void Cache_InMemory_ReplaysTheFirstCompletePass()
    {
        int calls = 0;
        var ds = Numbers(5).Map(x => { Interlocked.Increment(ref calls); return x; }).Cache();
        Assert.Equal(2, ds.Take(2).Count());    // an incomplete pass keeps nothing
        Assert.Equal(2, calls);
        Assert.Equal([0f, 1f, 2f, 3f, 4f], Firsts(ds));
        Assert.Equal(7, calls);
        Assert.Equal([0f, 1f, 2f, 3f, 4f], Firsts(ds));
        Assert.Equal(7, calls);                 // replayed, the map is not called again
    }

    [Fact]
    public void Cache_ToAFile_RoundTrips_AndIsReadByANewDataset()
    {
        using var dir = new TempFolder();
        string path = Path.Combine(dir.Path, "numbers.cache");
        var first = Numbers(6).Batch(4).Cache(path);
        Assert.Single(first.Take(1));
        Assert.False(File.Exists(path));                      // an incomplete pass writes nothing
        Assert.Empty(Directory.GetFiles(dir.Path));           // and leaves no temporary file
        var written = first.ToList();
        Assert.True(File.Exists(path));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));

        // A new dataset with the same file reads it instead of its input (an input that would fail).
        var fromFile = Dataset.Range(1).Map(Tensor (_) => throw new InvalidOperationException("not read")).Cache(path).ToList();
        Assert.Equal(2, fromFile.Count);
        Assert.Equal(2, Dataset.Range(1).Cache(path).Cardinality);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(written[i].X.Shape.ToArray(), fromFile[i].X.Shape.ToArray());
            Assert.Equal(written[i].X.Span.ToArray(), fromFile[i].X.Span.ToArray());
            Assert.Equal(written[i].Y!.Span.ToArray(), fromFile[i].Y!.Span.ToArray());
        }
        // Without targets, too.
        string noY = Path.Combine(dir.Path, "x.cache");
        Dataset.Range(3).Cache(noY).ToList();
        Assert.All(Dataset.Range(1).Cache(noY).ToList(), e => Assert.Null(e.Y));
    }

    [Fact]
    public void Cache_DamagedFile_NamesTheFile()
    {
        using var dir = new TempFolder();
        string path = Path.Combine(dir.Path, "d.cache");
        Numbers(4).Cache(path).ToList();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DatasetException>(() => Numbers(4).Cache(path).ToList());
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);

        // A declared shape larger than the file is refused before allocating it.
        var huge = bytes.ToArray();
        BitConverter.GetBytes(1 << 30).CopyTo(huge, 8 + 1 + 4);   // after the header, the tag and the rank: the first dim
        File.WriteAllBytes(path, huge);
        e = Assert.Throws<DatasetException>(() => Numbers(4).Cache(path).ToList());
        Assert.Contains("more values than the file holds", e.Message);

        File.WriteAllText(path, "not a cache");
        e = Assert.Throws<DatasetException>(() => Numbers(4).Cache(path).ToList());
        Assert.Contains("header", e.Message);
        Assert.Throws<ArgumentException>(() => Numbers(4).Cache(dir.Path));   // a folder
    }

    [Fact]
    public void Prefetch_YieldsTheSameElements()
    {
        Assert.Equal(Firsts(Numbers(30).Batch(4)), Firsts(Numbers(30).Batch(4).Prefetch(2)));
        Assert.Equal(Firsts(Numbers(30)), Firsts(Numbers(30).Prefetch(Dataset.Autotune)));
    }

    [Fact]
    public void Prefetch_SurfacesAnExceptionOnTheReader_AfterTheElementsBeforeIt()
    {
        var ds = Numbers(10).Map(x => x.Data[0] == 4 ? throw new IOException("disk gone") : x).Prefetch(3);
        var seen = new List<float>();
        var e = Assert.Throws<DatasetException>(() => { foreach (var (x, _) in ds) seen.Add(x.Data[0]); });
        Assert.Equal([0f, 1f, 2f, 3f], seen);
        Assert.Contains("element 4", e.Message);
        Assert.IsType<IOException>(e.InnerException);
    }

    [Fact]
    public void Prefetch_Cancellation_EndsAWaitingRead_WithoutHanging()
    {
        using var release = new ManualResetEventSlim();
        var ds = Dataset.Range(5).Map(x => { if (x.Data[0] == 1) release.Wait(TimeSpan.FromSeconds(30)); return x; }).Prefetch(2);
        using var cts = new CancellationTokenSource();
        // The reader's wait ends with the cancellation; the map call in the background returns then too (else the
        // pass's Dispose would wait its bounded 10 s for the thread before leaving it behind).
        cts.Token.Register(release.Set);
        using var pass = ds.Enumerate(cts.Token).GetEnumerator();
        Assert.True(pass.MoveNext());           // element 0; the thread now waits inside element 1
        cts.CancelAfter(50);
        Assert.Throws<OperationCanceledException>(() => pass.MoveNext());
        Assert.False(pass.MoveNext());          // the pass is over
    }

    [Fact]
    public void Prefetch_AbandonedPass_StopsItsThread()
    {
        int produced = 0;
        var ds = Dataset.Range(1000).Map(x => { Interlocked.Increment(ref produced); return x; }).Prefetch(2);
        foreach (var _ in ds.Take(3)) { }
        int after = Volatile.Read(ref produced);
        Thread.Sleep(50);
        Assert.Equal(after, Volatile.Read(ref produced));   // nothing is read after the pass was left
        Assert.True(after <= 3 + 2 + 2, $"{after} elements read ahead");
    }

    [Fact]
    public void AsGenerator_OnePassIsOneEpoch_ThenANewPassStarts()
    {
        IBatchGenerator g = Numbers(10).Shuffle(10, seed: 1).Batch(4);
        Assert.Equal(3, g.StepsPerEpoch);
        Assert.Equal(10, g.SampleCount);
        var epoch1 = Enumerable.Range(0, 3).SelectMany(_ => Rows(g.Next().X)).ToList();
        var epoch2 = Enumerable.Range(0, 3).SelectMany(_ => Rows(g.Next().X)).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), epoch1.Order());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), epoch2.Order());
        Assert.NotEqual(epoch1, epoch2);
        g.Reset();
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3).Batch(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3).Shuffle(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3).Take(-2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3).Skip(-2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3).Repeat(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3).Prefetch(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3).Map(x => x, numParallelCalls: 0));
        Assert.Throws<ArgumentException>(() => Dataset.FromTensors(new Tensor(3, 2), new Tensor(4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.Range(-1));
    }
}
