using DeepSharp.Backends.Cpu;

namespace DeepSharp.Tests.Compute;

/// <summary>Runs alone: a call made while another test is dispatching runs inline, with different exception behaviour.</summary>
[CollectionDefinition("Workers", DisableParallelization = true)]
public sealed class WorkersCollection;

[Collection("Workers")]
public class WorkersTests
{
    [Fact]
    public void RunsEveryIndexExactlyOnce()
    {
        for (int round = 0; round < 200; round++)
        {
            int count = 1 + round % 37;
            var hits = new int[count];
            Workers.For(count, i => Interlocked.Increment(ref hits[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void NestedCallsRunInlineWithoutDeadlock()
    {
        var sums = new long[8];
        Workers.For(8, i => Workers.For(100, j => Interlocked.Add(ref sums[i], j)));
        Assert.All(sums, s => Assert.Equal(4950, s));
    }

    [Fact]
    public void ConcurrentCallersFromOtherThreadsAllFinish()
    {
        long total = 0;
        Parallel.For(0, 8, _ =>
        {
            for (int r = 0; r < 50; r++) Workers.For(16, j => Interlocked.Add(ref total, j));
        });
        Assert.Equal(8 * 50 * 120, total);
    }

    [Fact]
    public void BodyExceptionIsRethrownAfterTheLoop()
    {
        int ran = 0;
        var e = Assert.Throws<AggregateException>(() => Workers.For(10, i =>
        {
            Interlocked.Increment(ref ran);
            if (i == 3) throw new InvalidOperationException("boom");
        }));
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Equal(10, ran);
        // The pool still works afterwards.
        int after = 0;
        Workers.For(4, _ => Interlocked.Increment(ref after));
        Assert.Equal(4, after);
    }

    [Fact]
    public void RejectsThreadCountBelowOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Workers.SetThreadCount(0));
    }
}
