using DeepSharp.Optimizers;

namespace DeepSharp.Cli.Tests;

/// <summary>
/// `train --optimizer NAME` takes every optimizer name Compile takes, from the same name table (Optimizer.KnownNames),
/// with Keras' defaults at the chosen learning rate; a wrong name is a usage error that lists the valid ones.
/// </summary>
public class OptimizerFlagTests
{
    [Fact]
    public void EveryCompileNameMakesThatOptimizerAtTheChosenRates()
    {
        Assert.Superset(new HashSet<string> { "rmsprop", "sgd", "adam", "adamw", "adagrad", "nadam" }, Optimizer.KnownNames.ToHashSet());
        foreach (var name in Optimizer.KnownNames)
        {
            var choice = new OptimizerChoice(name, 0.003, 2e-6);
            var first = choice.Create(fromScratch: true);
            Assert.Equal(Optimizer.Get(name).GetType(), first.GetType());
            Assert.Equal(name, first.Name);
            Assert.Equal(0.003, first.LearningRate, 12);
            Assert.Equal(2e-6, choice.CreateForFineTuning().LearningRate, 12);
        }
        Assert.Equal(OptimizerChoice.FromScratchDefault, new OptimizerChoice("nadam", null, 1e-5).Create(fromScratch: true).LearningRate, 12);
    }

    [Fact]
    public void AWrongNameIsAUsageErrorListingTheValidOnes()
    {
        using var dir = new TempFolder();
        var r = Cli.Run(dir.Path, "train", "--data", dir.Path, "--optimizer", "adamax");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("adamax", r.Stderr);
        foreach (var name in Optimizer.KnownNames) Assert.Contains(name, r.Stderr);
    }

    [Fact]
    public void ANewNameIsAcceptedByTheParser()
    {
        using var dir = new TempFolder();
        // The data folder is empty, so train stops on it (exit 1, naming the folder), after accepting --optimizer.
        var r = Cli.Run(dir.Path, "train", "--data", Path.Combine(dir.Path, "missing"), "--optimizer", "adagrad");
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain("--optimizer", r.Stderr);
    }
}
