using System.Diagnostics;
using System.Reflection;
using Xunit.Sdk;

namespace DeepSharp.Gpu.Tests;

/// <summary>
/// The GPU tests as a program, for a machine without `dotnet test` (tools/test-gpu.sh publishes it self-contained):
/// runs every [Fact] and [Theory] of this assembly one at a time (data through xunit's own DataAttribute.GetData) on the
/// device GpuUnderTest picks (DEEPSHARP_GPU_TESTS=cuda: the first CUDA device), and exits 1 if any fails. With
/// DEEPSHARP_GPU_TESTS=cuda on a machine whose driver reports no CUDA device it says so and exits 3 without running.
/// Arguments: substrings of "Class.Method" to run only those.
/// </summary>
public static class Runner
{
    public static int Main(string[] args)
    {
        if (GpuUnderTest.OnCuda && GpuDevices.CudaCount == 0)
        {
            Console.WriteLine("DeepSharp GPU tests: DEEPSHARP_GPU_TESTS=cuda, but the NVIDIA driver reports no CUDA device (looked for through libcuda, via ILGPU). " +
                "Nothing was run. On a machine without a GPU the same tests run on ILGPU's CPU accelerator: dotnet test tests/DeepSharp.Gpu.Tests.");
            return 3;
        }
        var device = GpuUnderTest.Device;
        Console.WriteLine($"DeepSharp GPU tests on {device.Name}: {device.AcceleratorName} ({device.MemoryBytes / (1 << 20)} MiB)");
        int passed = 0, failed = 0;
        var total = Stopwatch.StartNew();
        foreach (var type in typeof(Runner).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract).OrderBy(t => t.FullName))
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.MetadataToken))
            {
                var fact = method.GetCustomAttribute<FactAttribute>();
                if (fact is null || fact.Skip is not null) continue;
                string name = $"{type.Name}.{method.Name}";
                if (args.Length > 0 && !args.Any(a => name.Contains(a, StringComparison.OrdinalIgnoreCase))) continue;
                IEnumerable<object?[]> cases = fact is TheoryAttribute ? method.GetCustomAttributes<DataAttribute>().SelectMany(d => d.GetData(method)) : [[]];
                foreach (var arguments in cases)
                {
                    string label = $"{name}({string.Join(", ", arguments.Select(a => a?.ToString() ?? "null"))})";
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        method.Invoke(Activator.CreateInstance(type), arguments);
                        passed++;
                        Console.WriteLine($"  ok    {watch.Elapsed.TotalSeconds,6:F2} s  {label}");
                    }
                    catch (TargetInvocationException e)
                    {
                        failed++;
                        Console.WriteLine($"  FAIL  {watch.Elapsed.TotalSeconds,6:F2} s  {label}\n        {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
                    }
                }
            }
        Console.WriteLine($"{passed} passed, {failed} failed ({total.Elapsed.TotalSeconds:F1} s on {device.Name})");
        return failed == 0 && passed > 0 ? 0 : 1;
    }
}
