namespace DeepSharp.DistributedTests;

/// <summary><c>mpirun -np 2 deepsharp train ...</c> needs no new flag: rank 0 prints and writes, the job trains on both.</summary>
public class CliTests
{
    [Fact]
    public void TrainUnderMpirunPrintsAndWritesOnRankZeroOnly()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"deepsharp-mpi-cli-{Guid.NewGuid():N}");
        try
        {
            foreach (var part in new[] { "train", "validation" })
                WriteBigImages(Path.Combine(dir, "data", part), part == "train" ? 12 : 4);
            string output = Path.Combine(dir, "run");
            string cli = Path.Combine(AppContext.BaseDirectory, "DeepSharp.Cli.dll");
            var job = MpiJob.RunDotnet([cli, "train", "--data", Path.Combine(dir, "data"), "--target-size", "40", "--epochs", "2",
                "--batch-size", "5", "--output", output], TimeSpan.FromSeconds(120));
            Assert.True(job.ExitCode == 0, job.Output);
            var pieces = System.Text.RegularExpressions.Regex.Split(job.Output, @"(?=\[1,\d\]<std)");
            Assert.Single(pieces, p => p.StartsWith("[1,0]<stdout>:val loss:", StringComparison.Ordinal));
            Assert.DoesNotContain(pieces, p => p.StartsWith("[1,1]<stdout>:", StringComparison.Ordinal) && p.Trim().Length > "[1,1]<stdout>:".Length + 8);
            Assert.Contains(pieces, p => p.StartsWith("[1,0]<stdout>:", StringComparison.Ordinal) && p.Contains("3/3 ["));   // 12 images in global batches of 5
            foreach (var file in new[] { "model.keras", "history.png", "class_names.txt" })
                Assert.True(File.Exists(Path.Combine(output, file)), $"{file} was not written\n{job.Output}");
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Two class folders of 40×40 RGB PNGs, the classes told apart by brightness.</summary>
    private static void WriteBigImages(string dir, int n)
    {
        var r = new Random(3);
        for (int i = 0; i < n; i++)
        {
            string cls = Path.Combine(dir, i % 2 == 0 ? "dark" : "light");
            Directory.CreateDirectory(cls);
            var image = new Tensor(40, 40, 3);
            for (int p = 0; p < image.Size; p++) image.Data[p] = (i % 2 == 0 ? 40 : 180) + r.Next(60);
            Vision.ImageIO.SavePng(image, Path.Combine(cls, $"img{i:D2}.png"));
        }
    }
}
