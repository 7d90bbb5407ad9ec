using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DeepSharp.Tests.Onnx;

/// <summary>The two independent judges of an exported file: ONNX Runtime runs it, and the ONNX project's checker accepts it.</summary>
internal static class OnnxExportCheck
{
    /// <summary>Debian's python3 with python3-onnx (.ci/run installs it); the pyenv python on PATH lacks onnx.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>ONNX Runtime's output and its shape for input <paramref name="x"/> (in the layout the file declares).</summary>
    public static (float[] Values, int[] Shape) Run(string path, Tensor x)
    {
        using var session = new InferenceSession(path);
        var input = new DenseTensor<float>(x.Span.ToArray(), x.Shape.ToArray());
        using var result = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
        var t = result.Single().AsTensor<float>();
        return (t.ToArray(), t.Dimensions.ToArray());
    }

    /// <summary>
    /// Runs onnx.checker.check_model with full_check (shape inference included) on every file, in one Python process
    /// (starting one costs about half a second); fails the test naming each refused file with the checker's message.
    /// </summary>
    public static void Checker(params string[] paths)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: install Debian's python3-onnx (.ci/run does).");
        const string script = """
            import onnx, sys
            bad = 0
            for p in sys.argv[1:]:
                try:
                    onnx.checker.check_model(onnx.load(p), full_check=True)
                    print('ok', p)
                except Exception as e:
                    bad += 1
                    print('REFUSED', p, str(e).replace('\n', ' '))
            sys.exit(1 if bad else 0)
            """;
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var p in paths) psi.ArgumentList.Add(p);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(300_000)) { process.Kill(); Assert.Fail($"onnx.checker on {paths.Length} files did not finish in 300 s."); }
        var refused = stdout.Result.Split('\n').Where(l => l.StartsWith("REFUSED", StringComparison.Ordinal)).ToList();
        Assert.True(process.ExitCode == 0 && refused.Count == 0, $"onnx.checker refused {refused.Count} of {paths.Length} files: {string.Join("; ", refused)} {stderr.Result}");
        Assert.Equal(paths.Length, stdout.Result.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }

    /// <summary>Every element within <paramref name="relative"/> of the largest expected magnitude; returns the worst relative error.</summary>
    public static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, worst = 0;
        foreach (float v in expected) scale = Math.Max(scale, Math.Abs(v));
        scale = Math.Max(scale, 1e-6);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]) / scale;
            Assert.False(double.IsNaN(err), $"{what}: element {i} is NaN");
            if (err > worst) worst = err;
            Assert.True(err <= relative, $"{what}: element {i} is {actual[i]} instead of {expected[i]} (relative error {err:g3} > {relative:g3})");
        }
        return worst;
    }

    /// <summary>A seeded batch of values in [lo, hi).</summary>
    public static Tensor Random(int seed, float lo, float hi, params int[] shape)
    {
        var r = new System.Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++) t.Data[i] = lo + (hi - lo) * r.NextSingle();
        return t;
    }
}
