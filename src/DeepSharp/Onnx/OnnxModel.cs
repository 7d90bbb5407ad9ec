using DeepSharp.Models;
using DeepSharp.Saving;

namespace DeepSharp.Onnx;

/// <summary>
/// Imports ONNX files as ordinary DeepSharp functional models: named layers (from the ONNX node names), weights
/// converted to DeepSharp's layouts (NHWC images, (kh, kw, in, out) kernels, (in, out) dense kernels), trainable and
/// savable like any other model. Images go in and come out channels-last: a file taking (N, 3, 224, 224) becomes a
/// model taking (N, 224, 224, 3); the batch size is free even when the file fixes it.
/// </summary>
/// <remarks>
/// Operators: Conv, BatchNormalization, Transpose (keeping the batch axis first), Relu, LeakyRelu, Sigmoid, Tanh, Softmax, Add, Sub, Mul, MaxPool, AveragePool,
/// GlobalAveragePool, Gemm, MatMul, Flatten, Reshape, Concat, Split, Pad, Dropout, Identity, Clip, Constant; opsets up to 17;
/// weights in float_data or raw_data. Padding is imported exactly (explicit zero padding, never "same" where it would
/// differ). Every failure is a <see cref="ModelFileException"/> naming the file: unsupported operators are listed all at
/// once; a truncated or foreign file, or sizes that do not match the data, are reported before anything large is allocated.
/// </remarks>
/// <example><code>
/// var model = OnnxModel.Load("resnet.onnx");
/// model.Summary();
/// var features = model.Predict(images);            // images: (n, 224, 224, 3)
/// </code></example>
public static class OnnxModel
{
    /// <summary>Loads an ONNX file as a functional model.</summary>
    /// <param name="path">The .onnx file (weights inside it, not in external data files).</param>
    /// <param name="inputShape">The per-sample input shape in the file's order (e.g. (3, 224, 224)), needed only when the file leaves
    /// a dimension other than the batch free.</param>
    public static Model Load(string path, int[]? inputShape = null) =>
        OnnxImporter.Load(OnnxFile.Read(path), path, inputShape);

    /// <summary>Loads an ONNX model from a stream; <paramref name="name"/> names it in errors.</summary>
    public static Model Load(Stream stream, string name = "<stream>", int[]? inputShape = null) =>
        OnnxImporter.Load(OnnxFile.Read(stream, name), name, inputShape);
}
