using System.Runtime.InteropServices;
using DeepSharp.Backends.Cpu;

namespace DeepSharp.Bench;

/// <summary>
/// What a benchmark ran on, printed at the top of every run and put into result file names, so that figures
/// from different machines (AVX-512, AVX2, ARM64) are never confused.
/// </summary>
public static class MachineInfo
{
    /// <summary>The CPU's model name (/proc/cpuinfo on Linux; the architecture elsewhere).</summary>
    public static string CpuModel { get; } = ReadCpuModel();

    /// <summary>Architecture, which vector widths the JIT accelerates, which kernels run.</summary>
    public static string VectorPaths => DeepSharp.Backends.Cpu.VectorPaths.Describe();

    /// <summary>A file-name-safe tag: CPU model and kernel width, e.g. "amd-epyc-7b13-64-core-processor-w256".</summary>
    public static string Tag
    {
        get
        {
            var slug = new string(CpuModel.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
            while (slug.Contains("--")) slug = slug.Replace("--", "-");
            slug = slug.Trim('-');
            if (slug.Length > 48) slug = slug[..48].TrimEnd('-');
            return $"{slug}-{DeepSharp.Backends.Cpu.VectorPaths.Best.ToString().ToLowerInvariant()}";
        }
    }

    /// <summary>The header line: CPU, cores, runtime, vector paths.</summary>
    public static string Header =>
        $"CPU: {CpuModel}, {Environment.ProcessorCount} processors, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}\n"
        + $"Vector paths: {VectorPaths}";

    private static string ReadCpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int i and > 0)
                        return line[(i + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
