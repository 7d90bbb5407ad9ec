namespace DeepSharp.Tests.Onnx;

/// <summary>
/// Tests that run alone, after the parallel ones: those that load every core (ResNet18, ONNX Runtime, the 148 ONNX
/// node-test cases) and those that count allocations on their own thread (which moves when the thread pool is busy).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyOnnxTests
{
    public const string Name = "Run alone: heavy ONNX tests and allocation counts";
}
