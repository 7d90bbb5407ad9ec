using DeepSharp.Gradients;
using DeepSharp.Mpi;
using DeepSharp.Models;
using DeepSharp.Worlds;

namespace DeepSharp;

/// <summary>
/// Data-parallel training on MPI. <see cref="Initialize"/> joins the job <c>mpirun</c>/<c>srun</c> started (or makes a
/// world of one when there is none) and installs it as <see cref="World.Current"/>: <c>Fit</c> then trains on each
/// rank's share of every batch with averaged gradients, and needs no new argument.
/// </summary>
/// <example><code>
/// using var world = Distributed.Initialize();            // mpirun -np 4 dotnet Train.dll
/// model.Fit(trainGenerator, epochs: 30, validationData: validationGenerator);
/// if (world.IsRoot) model.Save("model.keras");
/// </code></example>
public static class Distributed
{
    /// <summary>
    /// Joins the MPI job this process was started in (Open MPI or MPICH, found at run time) and returns its world,
    /// installed as <see cref="World.Current"/> until disposed (disposing calls MPI_Finalize). Without a launcher,
    /// or without MPI installed and no launcher, it returns a world of one and loads nothing.
    /// </summary>
    /// <exception cref="WorldException">A launcher started this process but no MPI library can be loaded.</exception>
    public static DistributedWorld Initialize(DistributedOptions? options = null)
    {
        options ??= new DistributedOptions();
        if (options.Timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), $"DistributedOptions.Timeout must be positive, got {options.Timeout}.");
        if (World.Current is DistributedWorld { IsDisposed: false })
            throw new InvalidOperationException("Distributed.Initialize was called twice: dispose the first world before initializing again (MPI can be initialized once per process).");
        var launcher = Launcher.Detect();
        if (launcher is null) return new DistributedWorld(null, "none (no MPI launcher)");
        var mpi = MpiLibrary.TryLoad(launcher.IsOpenMpi, out string tried)
            ?? throw new WorldException($"This process was started by {launcher.Name} ({launcher.Variable} is set) but no MPI library could be loaded (tried {tried}). " +
                "Install Open MPI (apt-get install openmpi-bin) or MPICH (apt-get install mpich), or run without the launcher for a world of one.");
        var inner = new MpiWorld(mpi, options.Timeout);
        var world = new DistributedWorld(inner, inner.Library);
        if (options.ShareCores) world.ShareCores();
        return world;
    }

    /// <summary>This process's rank in <see cref="World.Current"/> (0 without MPI).</summary>
    public static int Rank => World.Current.Rank;

    /// <summary>The number of processes in <see cref="World.Current"/> (1 without MPI).</summary>
    public static int Size => World.Current.Size;

    /// <summary>
    /// For a custom training loop: replaces every gradient with its mean over all ranks (in place; one all-reduce per
    /// bucket of gradients), so that <c>ApplyGradients</c> takes the same step on every rank. Each rank must pass the
    /// same weights in the same order.
    /// </summary>
    /// <example><code>
    /// var (loss, gradients) = model.ComputeGradients(xb, yb);   // this rank's share of the batch
    /// Distributed.AllReduceMean(gradients);
    /// model.Optimizer!.ApplyGradients(gradients);
    /// </code></example>
    public static void AllReduceMean(IReadOnlyList<WeightGradient> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        var world = World.Current;
        if (world.Size == 1) return;
        GradientBuckets.AllReduceMean(world, gradients);
    }

    /// <summary>
    /// Copies rank <paramref name="root"/>'s weights (trainable or not) to every rank: call it once before a custom
    /// training loop so every rank starts from the same weights (Fit does it by itself).
    /// </summary>
    public static void BroadcastWeights(Model model, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var world = World.Current;
        if (world.Size == 1) return;
        foreach (var p in model.Parameters) world.Broadcast(p.Value.Span, root);
    }
}
