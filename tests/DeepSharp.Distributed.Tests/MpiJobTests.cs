using System.Globalization;

namespace DeepSharp.DistributedTests;

/// <summary>
/// Two real ranks (mpirun --oversubscribe -np 2 on this machine), each run inside a wall-clock limit so that a
/// deadlock fails the test instead of hanging it. One class: the jobs run one after the other.
/// </summary>
public class MpiJobTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public void FitInAWorldOfTwoEqualsAWorldOfOneOnTheSameGlobalBatches()
    {
        var job = MpiJob.Run("train", Limit);
        Assert.True(job.ExitCode == 0, job.Output);
        Assert.StartsWith("world 2 Open MPI", job.Check("world"));
        // One step: weights within 1e-6 (relative to each weight's largest value). Two epochs of three steps (the
        // last batch smaller, shares of 2 and 2, then 1 and 2 rows): the last-bit differences of the summation
        // order grow a little, so within 1e-5.
        foreach (var (run, bound) in new[] { ("step", 1e-6), ("epochs", 1e-5) })
            foreach (var name in new[] { "sequential", "functional", "bn-synchronized", "bn-frozen", "folder-generator" })
            {
                var parts = job.Check($"equal-{run}-{name}").Split(' ');
                double weights = double.Parse(parts[2], CultureInfo.InvariantCulture), logs = double.Parse(parts[4], CultureInfo.InvariantCulture);
                Assert.True(weights <= bound, $"{run}-{name}: weights differ by {weights:E2} (relative) from a world of one\n{job.Output}");
                Assert.True(logs <= 1e-5, $"{run}-{name}: loss/metrics differ by {logs:E2} (relative) from a world of one\n{job.Output}");
            }
        Assert.Contains("val_loss", job.Check("equal-epochs-sequential"));
        double custom = double.Parse(job.Check("equal-custom-loop").Split(' ')[2], CultureInfo.InvariantCulture);
        Assert.True(custom <= 1e-6, $"a custom loop with Distributed.AllReduceMean differs by {custom:E2} from one step in a world of one\n{job.Output}");
    }

    [Fact]
    public void EverySampleOncePerEpochAndOnlyRankZeroWrites()
    {
        var job = MpiJob.Run("samples", Limit);
        Assert.True(job.ExitCode == 0, job.Output);
        foreach (var name in new[] { "arrays", "folder", "generator" })
            Assert.Equal("min 1 max 1", job.Check("samples-" + name)[(name.Length + 9)..]);
        Assert.Equal("resumed 1 1", job.Check("resumed"));   // both ranks ran only epoch 3 after rank 0's backup of epoch 2
        var files = job.Check("files").Split(' ')[1..].Select(double.Parse).ToArray();
        Assert.True(files[0] >= 3, $"rank 0 wrote {files[0]} files (log.csv, model.keras, the backup)\n{job.Output}");
        Assert.Equal(0, files[1]);
        // The progress bar prints on rank 0 only (mpirun --tag-output prefixes rank 1's lines with [1,1]).
        var pieces = System.Text.RegularExpressions.Regex.Split(job.Output, @"(?=\[1,\d\]<std)");   // the bar redraws with \r, not \n
        Assert.Contains(pieces, p => p.StartsWith("[1,0]<stdout>:", StringComparison.Ordinal) && p.Contains("loss:"));
        Assert.DoesNotContain(pieces, p => p.StartsWith("[1,1]<stdout>:", StringComparison.Ordinal) && p.Contains("loss:"));
    }

    [Fact]
    public void DivergedWeightsAreAnErrorNamingTheRank()
    {
        var job = MpiJob.Run("diverge", Limit);
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("weights of rank 1 differ from rank 0's", job.Output);
        Assert.DoesNotContain("not-caught", job.Output);
    }

    [Fact]
    public void AHungRankEndsTheJobWithAnErrorNamingItInBoundedTime()
    {
        var job = MpiJob.Run("hang", Limit, collectiveTimeoutSeconds: 3);
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 1 did not reach it", job.Output);
        Assert.True(job.Seconds < 60, $"the job took {job.Seconds:F0} s to end\n{job.Output}");
    }

    [Fact]
    public void AKilledRankEndsTheJobInBoundedTime()
    {
        var job = MpiJob.Run("kill", Limit);
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 1", job.Output);
        Assert.True(job.Seconds < 60, $"the job took {job.Seconds:F0} s to end\n{job.Output}");
    }
}
