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
            foreach (var name in new[] { "sequential", "metrics", "functional", "bn-synchronized", "bn-frozen", "folder-generator" })
            {
                var parts = job.Check($"equal-{run}-{name}").Split(' ');
                double weights = double.Parse(parts[2], CultureInfo.InvariantCulture), logs = double.Parse(parts[4], CultureInfo.InvariantCulture);
                Assert.True(weights <= bound, $"{run}-{name}: weights differ by {weights:E2} (relative) from a world of one\n{job.Output}");
                Assert.True(logs <= 1e-5, $"{run}-{name}: loss/metrics differ by {logs:E2} (relative) from a world of one\n{job.Output}");
            }
        Assert.Contains("val_loss", job.Check("equal-epochs-sequential"));
        Assert.EndsWith("keys loss,accuracy,auc,precision,recall,pr_auc,top_k_categorical_accuracy,mse,val_loss,val_accuracy,val_auc,val_precision,val_recall,val_pr_auc,val_top_k_categorical_accuracy,val_mse",
            job.Check("equal-epochs-metrics"));
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

    [Fact]
    public void AResumedRunContinuesInAWorldOfAnotherSize()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"deepsharp-mpi-resume-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            // The uninterrupted run: 4 epochs in a world of one.
            var whole = ResumeScenarios.Build();
            ResumeScenarios.Fit(whole, Path.Combine(dir, "whole"), stopAfter: null);
            var reference = whole.GetWeights();
            // One rank trains epochs 1-2 and stops; 2 ranks resume it (and train another run to epoch 2 and stop).
            var (first, _) = ResumeScenarios.Fit(ResumeScenarios.Build(), Path.Combine(dir, "one-to-two"), stopAfter: ResumeScenarios.StopAfter);
            Assert.Equal([1, 2], first.Epochs);
            var job = MpiJob.RunIn("resume", dir, Limit);
            Assert.True(job.ExitCode == 0, job.Output);
            var parts = job.Check("one-to-two").Split(' ');
            Assert.Equal("3,4", parts[2]);   // both ranks went on from epoch 3
            Assert.Equal("0,0", parts[4]);   // ...with exactly the weights of the backup, on every rank
            var oneToTwo = ResumeScenarios.Build();
            oneToTwo.LoadWeights(Path.Combine(dir, "one-to-two.weights.h5"));
            // 2 ranks sum the gradients in another order than one: the last bits differ (as in the world-of-2 test).
            double d12 = ResumeScenarios.MaxDiff(oneToTwo.GetWeights(), reference);
            Assert.True(d12 <= 1e-5, $"1 then 2 ranks differ by {d12:E2} (relative) from the uninterrupted run\n{job.Output}");

            // 2 ranks stopped after epoch 2; one rank resumes.
            Assert.Equal("two-to-one epochs 1,2", job.Check("two-to-one"));
            var twoToOne = ResumeScenarios.Build();
            var (rest, startDiff) = ResumeScenarios.Fit(twoToOne, Path.Combine(dir, "two-to-one"), stopAfter: null);
            Assert.Equal([3, 4], rest.Epochs);
            Assert.Equal(0, startDiff);
            double d21 = ResumeScenarios.MaxDiff(twoToOne.GetWeights(), reference);
            Assert.True(d21 <= 1e-5, $"2 then 1 ranks differ by {d21:E2} (relative) from the uninterrupted run\n{job.Output}");
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void EarlyStoppingAndReduceLROnPlateauDecideTheSameOnEveryRank()
    {
        var job = MpiJob.Run("callbacks", Limit);
        Assert.True(job.ExitCode == 0, job.Output);
        // "ranks 5,5 single 5": every rank stopped after the same epoch, the one a world of one stops at, before the last.
        var early = job.Check("early-stopping").Split(' ');
        var stops = early[2].Split(',');
        Assert.All(stops, s => Assert.Equal(early[4], s));
        Assert.True(int.Parse(early[4]) < 12, $"EarlyStopping never stopped: the test decides nothing\n{job.Output}");
        // The learning rate after each epoch: the same on every rank and as in a world of one, and lowered at least once.
        var plateau = job.Check("plateau").Split(' ');
        Assert.Equal(plateau[2], plateau[3]);
        Assert.Equal(plateau[5], plateau[2]);
        var rates = plateau[2].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(rates[^1] < 0.5, $"ReduceLROnPlateau never lowered the rate: the test decides nothing\n{job.Output}");
    }

    [Fact]
    public void CtrlCAtMpirunStopsEveryRank()
    {
        var job = MpiJob.Run("interrupt", Limit, interruptAfter: "CHECK training");
        Assert.NotEqual(0, job.ExitCode);
        Assert.True(job.Seconds < 15, $"the job took {job.Seconds:F1} s to end after SIGINT\n{job.Output}");
        Assert.Equal(0, job.Survivors);   // no rank process left behind
    }
}
