using DeepSharp.Callbacks;
using DeepSharp.Data;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Vision;
using DeepSharp.Worlds;

namespace DeepSharp.DistributedTests;

/// <summary>
/// What each rank runs under mpirun (the tests start <c>mpirun -np 2 dotnet DeepSharp.Distributed.Tests.dll SCENARIO DIR</c>).
/// Rank 0 prints "CHECK name value" lines that the tests assert on; failures end the job with a non-zero exit.
/// </summary>
public static class Worker
{
    public static int Main(string[] args)
    {
        string scenario = args[0], dir = args[1];
        var options = new DistributedOptions { Timeout = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2]) : 60) };
        using var world = Distributed.Initialize(options);
        if (world.Size < 2) throw new InvalidOperationException($"the worker expects a world of 2 or more, got {world.Size} ({world.Library})");
        if (world.Rank == 0) CheckLine.Write($"CHECK world {world.Size} {world.Library} threads {world.Threads}");
        switch (scenario)
        {
            case "train": TrainScenarios.Run(world, dir); break;
            case "samples": SampleScenarios.Run(world, dir); break;
            case "resume": ResumeScenarios.Run(world, dir); break;
            case "callbacks": CallbackScenarios.Run(world); break;
            case "diverge": Diverge(world); break;
            case "hang": Hang(world); break;
            case "kill": Kill(world); break;
            case "interrupt": Interrupt(world); break;
            default: throw new ArgumentException($"unknown scenario {scenario}");
        }
        return 0;
    }

    /// <summary>A callback that changes a weight on rank 1 only: the epoch's checksum must catch it.</summary>
    private static void Diverge(DistributedWorld world)
    {
        var (model, x, y) = TrainScenarios.SmallDense(7);
        var nudge = new LambdaCallback(onEpochEnd: (_, _) => { if (world.Rank == 1) model.Parameters[0].Value.Data[0] += 1e-3f; });
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [nudge]);   // caught at the end of epoch 2
        CheckLine.Write("CHECK diverge not-caught");
    }

    /// <summary>Rank 1 never reaches Fit's first broadcast (a hung rank).</summary>
    private static void Hang(DistributedWorld world)
    {
        var (model, x, y) = TrainScenarios.SmallDense(7);
        if (world.Rank == 1) Thread.Sleep(TimeSpan.FromMinutes(5));
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0);
    }

    /// <summary>Rank 1 is killed (SIGKILL) in the middle of training.</summary>
    private static void Kill(DistributedWorld world)
    {
        var (model, x, y) = TrainScenarios.SmallDense(7);
        var kill = new LambdaCallback(onBatchEnd: (b, _) =>
        {
            if (world.Rank == 1 && b == 2) System.Diagnostics.Process.Start("kill", $"-9 {Environment.ProcessId}").WaitForExit();
        });
        model.Fit(x, y, batchSize: 2, epochs: 50, verbose: 0, callbacks: [kill]);
    }

    /// <summary>Trains far longer than the test waits; rank 0 says when the first epoch is done (the test then sends Ctrl+C).</summary>
    private static void Interrupt(DistributedWorld world)
    {
        var (model, x, y) = TrainScenarios.SmallDense(7);
        var started = new LambdaCallback(onEpochEnd: (epoch, _) => { if (world.Rank == 0 && epoch == 0) CheckLine.Write("CHECK training"); });
        model.Fit(x, y, batchSize: 2, epochs: 1_000_000, verbose: 0, callbacks: [started]);
    }
}
