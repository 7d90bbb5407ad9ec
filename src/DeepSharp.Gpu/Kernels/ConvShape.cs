using DeepSharp.Backends.Cpu;

namespace DeepSharp.Gpu.Kernels;

/// <summary>A convolution's or pooling's geometry as a plain struct that kernels take by value (<see cref="ConvGeometry"/>'s fields).</summary>
internal struct ConvShape
{
    public int Batch, InH, InW, InC, KH, KW, StrideH, StrideW, PadTop, PadLeft, OutH, OutW;

    public static ConvShape From(in ConvGeometry g) => new()
    {
        Batch = g.Batch, InH = g.InH, InW = g.InW, InC = g.InC, KH = g.KH, KW = g.KW, StrideH = g.StrideH, StrideW = g.StrideW,
        PadTop = g.PadTop, PadLeft = g.PadLeft, OutH = g.OutH, OutW = g.OutW,
    };

    /// <summary>A dense layer as a 1×1 convolution of a 1×1 image with <paramref name="inputs"/> channels.</summary>
    public static ConvShape Dense(int batch, int inputs) => new()
    {
        Batch = batch, InH = 1, InW = 1, InC = inputs, KH = 1, KW = 1, StrideH = 1, StrideW = 1, OutH = 1, OutW = 1,
    };
}
