namespace DeepSharp.Tests.Onnx;

/// <summary>
/// Tests that run ResNet18, ONNX Runtime or the 148 node-test cases: they run alone, after the parallel tests, so that their
/// load on every core does not disturb tests that measure allocations or timing on their own thread.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyOnnxTests
{
    public const string Name = "ONNX Runtime and ResNet18 at full size";
}
