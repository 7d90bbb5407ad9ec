using System.Text.RegularExpressions;

namespace DeepSharp.Tests.Backends;

/// <summary>
/// The seam, checked by reading the sources: SIMD types appear only inside the CPU backend, and its tuning switches are
/// read from <c>CpuBackendOptions</c>, not from environment variables scattered over the kernels.
/// </summary>
public class LayeringTests
{
    /// <summary>The repository's src folder, found above the test binaries (CI builds map source paths, so not CallerFilePath).</summary>
    private static string SourceRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "src", "DeepSharp", "DeepSharp.csproj"))) return Path.Combine(d.FullName, "src");
        throw new DirectoryNotFoundException($"No src/DeepSharp/DeepSharp.csproj above {AppContext.BaseDirectory}: run the tests from the repository's build output.");
    }

    /// <summary>Folders of src/DeepSharp where the CPU backend's code lives .</summary>
    private static readonly string[] CpuBackendFolders = ["Backends/Cpu/"];

    private static IEnumerable<(string Path, string Text)> Sources(string project) =>
        Directory.EnumerateFiles(Path.Combine(SourceRoot(), project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Path.GetRelativePath(Path.Combine(SourceRoot(), project), f).Replace('\\', '/'), File.ReadAllText(f)));

    [Fact]
    public void SimdTypesAppearOnlyInsideTheCpuBackend()
    {
        var simd = new Regex(@"System\.Runtime\.Intrinsics|\bVector<|\bVector(128|256|512)\b");
        var offenders = new List<string>();
        foreach (string project in (string[])["DeepSharp", "DeepSharp.Vision", "DeepSharp.Cli"])
            foreach (var (path, text) in Sources(project))
            {
                if (project == "DeepSharp" && CpuBackendFolders.Any(path.StartsWith)) continue;
                if (simd.Match(text) is { Success: true } m) offenders.Add($"{project}/{path}: {m.Value}");
            }
        Assert.True(Directory.Exists(Path.Combine(SourceRoot(), "DeepSharp", "Backends", "Cpu")), $"no CPU backend folder under {SourceRoot()}");
        Assert.True(offenders.Count == 0, "SIMD types outside the CPU backend's folder:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void LayersLossesMetricsOptimizersAndModelsCallTheBackendNeverAKernel()
    {
        // The CPU backend's ops and kernels by name, and its options: only the backend may pick them.
        var kernel = new Regex(@"\b(Conv2DOp|PoolingOps|DenseOp|BatchNormOp|ShapeOps|GlobalMaxPoolingOp|ReluOps|VectorOps|OptimizerKernels|Gemm|GemmKernels|Workers|UpdateLoop|WinogradConv|SparseConvGradient|DirectKernelGradient|MaxPoolKernels|VectorPaths|CpuBackend\.Settings)\b\.|ActivationOps\.(Forward|Backward|Relu)|AxisOps\.(Softmax|Permute|Concat|Slice)");
        string[] callers = ["Layers/", "Losses/", "Metrics/", "Optimizers/", "Models/", "Callbacks/", "Gradients/", "Training/", "Initializers/"];
        var offenders = Sources("DeepSharp").Where(s => callers.Any(s.Path.StartsWith))
            .SelectMany(s => s.Text.Split('\n').Select((line, i) => (s.Path, Line: i + 1, Text: line)))
            .Where(l => !l.Text.TrimStart().StartsWith("///", StringComparison.Ordinal) && kernel.IsMatch(l.Text))
            .Select(l => $"{l.Path}:{l.Line}: {l.Text.Trim()}").ToList();
        Assert.True(offenders.Count == 0, "kernels called above the backend:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void LayersLossesMetricsOptimizersCallbacksAndVisionNeverReadTensorData()
    {
        // Issue 18's grep: the values of a tensor are reached through Span (CPU) or the backend, never through the
        // CPU-only array Tensor.Data, so that a tensor on another device works in these folders unchanged.
        var data = new Regex(@"(?<!DeepSharp)\.Data\b");
        string[] folders = ["Layers/", "Losses/", "Metrics/", "Optimizers/", "Callbacks/"];
        var offenders = Sources("DeepSharp").Where(s => folders.Any(s.Path.StartsWith)).Select(s => ("DeepSharp/" + s.Path, s.Text))
            .Concat(Sources("DeepSharp.Vision").Select(s => ("DeepSharp.Vision/" + s.Path, s.Text)))
            .SelectMany(s => s.Text.Split('\n').Select((line, i) => (s.Item1, Line: i + 1, Text: line)))
            .Where(l => !l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal) && data.IsMatch(l.Text))
            .Select(l => $"{l.Item1}:{l.Line}: {l.Text.Trim()}").ToList();
        Assert.True(offenders.Count == 0, "Tensor.Data used where Span or the backend belongs:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void TuningSwitchesAreOptionsNotEnvironmentVariables()
    {
        // Only CpuBackendOptions.FromEnvironment reads the DEEPSHARP_* tuning variables; data folders may read theirs.
        var allowed = new HashSet<string> { "Backends/Cpu/CpuBackendOptions.cs", "Data/DatasetFiles.cs", "Applications/ResNet18Files.cs", "Applications/KerasWeightFiles.cs", "Downloads/DownloadOptions.cs", "Downloads/NuGetConfig.cs" };
        var offenders = Sources("DeepSharp").Where(s => s.Text.Contains("GetEnvironmentVariable") && !allowed.Contains(s.Path)).Select(s => s.Path).ToList();
        Assert.True(offenders.Count == 0, "environment variables read outside CpuBackendOptions:\n" + string.Join("\n", offenders));
    }
}
