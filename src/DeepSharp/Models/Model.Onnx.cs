using DeepSharp.Onnx;

namespace DeepSharp.Models;

public partial class Model
{
    /// <summary>
    /// Saves the model as an ONNX file for inference in ONNX Runtime, ML.NET (<c>ApplyOnnxModel</c>), Windows ML or a
    /// browser: the layers' weights in the graph, batch-normalization statistics folded in as inference, dropout dropped.
    /// The input keeps DeepSharp's layout, (batch, height, width, channels) with a free batch size, so the exported model
    /// takes the same arrays as <c>Predict</c>; <paramref name="channelsFirst"/> makes it (batch, channels, height, width) instead
    /// (image outputs follow the same layout). Nodes are named after the layers. The file is written to a temporary name and
    /// renamed. A layer without an ONNX form is an error naming it.
    /// </summary>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="opset">The ONNX opset, 13 to 17 (default 17; 13 for older runtimes).</param>
    /// <param name="channelsFirst">True for an NCHW input (what most ONNX image models take) instead of NHWC.</param>
    /// <example><code>
    /// model.SaveOnnx("catsdogs.onnx");
    /// // C#: using var session = new InferenceSession("catsdogs.onnx"); feed (n, 150, 150, 3) floats as for Predict.
    /// </code></example>
    public void SaveOnnx(string path, int opset = 17, bool channelsFirst = false) => OnnxExporter.Save(this, path, opset, channelsFirst);
}
