using DeepSharp.Mpi;
using DeepSharp.Worlds;

namespace DeepSharp.DistributedTests;

public class WorldOfOneTests
{
    [Fact]
    public void WithoutALauncherInitializeGivesAWorldOfOneAndLoadsNoMpi()
    {
        Assert.Null(Launcher.Detect());   // dotnet test is not started by mpirun
        using (var world = Distributed.Initialize())
        {
            Assert.Equal((0, 1, true), (world.Rank, world.Size, world.IsRoot));
            Assert.StartsWith("none", world.Library);
            Assert.Same(world, World.Current);
        }
        Assert.Same(World.Single, World.Current);
    }

    [Fact]
    public void LaunchersAreToldByTheirEnvironment()
    {
        Assert.True(Launcher.Detect(v => v == "OMPI_COMM_WORLD_SIZE" ? "2" : null)!.IsOpenMpi);
        Assert.False(Launcher.Detect(v => v == "PMI_SIZE" ? "4" : null)!.IsOpenMpi);
        Assert.NotNull(Launcher.Detect(v => v switch { "SLURM_NTASKS" => "8", "SLURM_PROCID" => "3", _ => null }));
        Assert.Null(Launcher.Detect(v => v switch { "SLURM_NTASKS" => "1", "SLURM_PROCID" => "0", _ => null }));
    }

    [Fact]
    public void RanksOnOneHostSplitItsCores()
    {
        Assert.Equal(8, DistributedWorld.CoreShare(processorCount: 16, onlineCpus: 16, localSize: 2));
        Assert.Equal(1, DistributedWorld.CoreShare(processorCount: 2, onlineCpus: 2, localSize: 4));
        Assert.Equal(4, DistributedWorld.CoreShare(processorCount: 4, onlineCpus: 16, localSize: 2));   // bound to 4 cores by the launcher
    }
}
