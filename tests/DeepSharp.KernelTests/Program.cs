using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using DeepSharp.Backends.Cpu;
using Xunit.Sdk;

// Runs the [Fact] and [Theory] methods compiled into this assembly (xunit v2 attributes, data from
// InlineData/MemberData through xunit's own DataAttribute.GetData), one at a time, and exits 1 if any fails.
// Arguments: substrings of "Class.Method" to run only those (default: all), -substring to leave those out;
// --paths: print the vector paths only.
Console.WriteLine($"DeepSharp kernel tests: {RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.FrameworkDescription}");
Console.WriteLine($"Vector paths: {VectorPaths.Describe()}");
Console.WriteLine($"Knobs: {string.Join(" ", Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_Enable", StringComparison.Ordinal)).Order().Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}"))}");

// "--paths": only the lines above and the knob check below (for scripts that run the tests some other way).
bool pathsOnly = args.Contains("--paths");
args = args.Where(a => a != "--paths").ToArray();

// A knob that did not take effect would make a run look like it tested a path it did not: check each one.
int passed = 0, failed = 0;
foreach (var (knob, width) in new[] { ("DOTNET_EnableHWIntrinsic", VectorWidth.W128), ("DOTNET_EnableAVX2", VectorWidth.W256), ("DOTNET_EnableAVX512", VectorWidth.W512) })
{
    if (Environment.GetEnvironmentVariable(knob) != "0" || !VectorPaths.IsAccelerated(width)) continue;
    Console.WriteLine($"  FAIL  {knob}=0 is set but {width} vectors are still accelerated: the knob's name or effect changed in this runtime");
    failed++;
}
if (pathsOnly) return failed == 0 ? 0 : 1;
var total = Stopwatch.StartNew();
foreach (var type in typeof(Program).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract).OrderBy(t => t.FullName))
{
    foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.MetadataToken))
    {
        var fact = method.GetCustomAttribute<FactAttribute>();
        if (fact is null || fact.Skip is not null) continue;
        string name = $"{type.Name}.{method.Name}";
        var only = args.Where(a => !a.StartsWith('-')).ToArray();
        if (only.Length > 0 && !only.Any(a => name.Contains(a, StringComparison.OrdinalIgnoreCase))) continue;
        if (args.Any(a => a.StartsWith('-') && name.Contains(a[1..], StringComparison.OrdinalIgnoreCase))) continue;
        IEnumerable<object?[]> cases = fact is TheoryAttribute
            ? method.GetCustomAttributes<DataAttribute>().SelectMany(d => d.GetData(method))
            : [[]];
        foreach (var arguments in cases)
        {
            string label = $"{name}({string.Join(", ", arguments.Select(a => a?.ToString() ?? "null"))})";
            var watch = Stopwatch.StartNew();
            try
            {
                var instance = Activator.CreateInstance(type);
                method.Invoke(instance, arguments);
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
}
Console.WriteLine($"{passed} passed, {failed} failed ({total.Elapsed.TotalSeconds:F1} s; {VectorPaths.Describe()})");
return failed == 0 && passed > 0 ? 0 : 1;
