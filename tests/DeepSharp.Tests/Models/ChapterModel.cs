using DeepSharp.Applications;
using DeepSharp.Models;

namespace DeepSharp.Tests.Models;

/// <summary>The chapter's MNIST convnet, shared by the tests.</summary>
internal static class ChapterModel
{
    public static Sequential Create() => ChapterModels.MnistConvnet();
}
