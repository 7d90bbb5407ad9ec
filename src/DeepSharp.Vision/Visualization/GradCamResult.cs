namespace DeepSharp.Vision;

/// <summary>What <c>GradCam.Compute</c> returns: the class activation map and what it was computed for.</summary>
public sealed class GradCamResult
{
    internal GradCamResult(Tensor heatmap, int classIndex, string? className, string layerName, double score)
    {
        Heatmap = heatmap;
        ClassIndex = classIndex;
        ClassName = className;
        LayerName = layerName;
        Score = score;
    }

    /// <summary>The map at the layer's resolution, (height, width), values 0–1 (1 at the strongest evidence).</summary>
    public Tensor Heatmap { get; }

    /// <summary>The class whose evidence the map shows.</summary>
    public int ClassIndex { get; }

    /// <summary>The class's name, when names were given.</summary>
    public string? ClassName { get; }

    /// <summary>The convolutional layer whose activations were weighted.</summary>
    public string LayerName { get; }

    /// <summary>The class score (before the final softmax/sigmoid) the gradient was taken of.</summary>
    public double Score { get; }

    /// <summary>The heatmap's peak as (row, column) in an image of <paramref name="height"/>×<paramref name="width"/> pixels (the centre of the peak cell).</summary>
    public (int Row, int Column) PeakIn(int height, int width)
    {
        int h = Heatmap.Dim(0), w = Heatmap.Dim(1);
        int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(Heatmap.Span);
        return ((int)((best / w + 0.5) * height / h), (int)((best % w + 0.5) * width / w));
    }
}
