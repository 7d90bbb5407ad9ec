namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The sizes of one 2-D sliding-window op (convolution or pooling) on NHWC data.
/// Keras' padding rules: "valid" keeps only whole windows; "same" gives ceil(in / stride)
/// outputs and pads the bottom/right with the extra row/column when the total is odd.
/// </summary>
internal readonly record struct ConvGeometry(
    int Batch, int InH, int InW, int InC,
    int KH, int KW, int StrideH, int StrideW,
    int PadTop, int PadLeft, int OutH, int OutW)
{
    /// <summary>Geometry for an input of (batch, inH, inW, inC) and a kh×kw window.</summary>
    public static ConvGeometry Create(int batch, int inH, int inW, int inC, int kh, int kw,
        int strideH, int strideW, Padding padding, int dilation = 1)
    {
        int outH, outW, padTop = 0, padLeft = 0;
        if (padding == Padding.Valid)
        {
            outH = (inH - kh) / strideH + 1;
            outW = (inW - kw) / strideW + 1;
        }
        else
        {
            outH = (inH + strideH - 1) / strideH;
            outW = (inW + strideW - 1) / strideW;
            int padH = Math.Max((outH - 1) * strideH + kh - inH, 0);
            int padW = Math.Max((outW - 1) * strideW + kw - inW, 0);
            padTop = padH / 2;
            padLeft = padW / 2;
        }
        return new ConvGeometry(batch, inH, inW, inC, kh, kw, strideH, strideW, padTop, padLeft,
            Math.Max(outH, 0), Math.Max(outW, 0));
    }

    /// <summary>
    /// The geometry of the convolution that a transposed convolution (Keras' Conv2DTranspose) is the adjoint of: its
    /// input has the transposed convolution's output size (InH, InW, <paramref name="filters"/> channels), its output the
    /// transposed convolution's input size (<paramref name="inH"/>, <paramref name="inW"/>). Sizes and padding follow
    /// Keras 3 (keras/src/backend/common/backend_utils.py, _convert_conv_transpose_padding_args_from_keras_to_jax):
    /// "valid": out = (in - 1)·s + k + op with op = max(k, s) - k when not given; "same": out = in·s when op is not
    /// given, else (in - 1)·s + k % 2 + op; the padding before is k - 1 - min(⌈p/2⌉, k - 1) (p the total padding).
    /// </summary>
    public static ConvGeometry ForTranspose(int batch, int inH, int inW, int filters, int kh, int kw, int strideH, int strideW,
        Padding padding, (int H, int W)? outputPadding)
    {
        var (outH, padTop) = TransposeAxis(inH, kh, strideH, padding, outputPadding?.H);
        var (outW, padLeft) = TransposeAxis(inW, kw, strideW, padding, outputPadding?.W);
        return new ConvGeometry(batch, outH, outW, filters, kh, kw, strideH, strideW, padTop, padLeft, inH, inW);
    }

    /// <summary>One axis of <see cref="ForTranspose"/>: the transposed output's length and the convolution's padding before.</summary>
    public static (int Length, int PadBefore) TransposeAxis(int size, int k, int s, Padding padding, int? outputPadding)
    {
        int left, total;
        if (padding == Padding.Valid)
        {
            int op = outputPadding ?? Math.Max(k, s) - k;
            left = k - 1;
            total = 2 * (k - 1) + op;
        }
        else
        {
            total = outputPadding is { } op ? k + k % 2 - 2 + op : s + k - 2;
            left = Math.Min(total / 2 + total % 2, k - 1);
        }
        return ((size - 1) * s + 2 + total - k, k - 1 - left);
    }

    /// <summary>Output pixels over the whole batch (the GEMM's M).</summary>
    public int OutPixels => Batch * OutH * OutW;

    /// <summary>Values in one im2col row (the GEMM's K).</summary>
    public int PatchSize => KH * KW * InC;

    /// <summary>True when the op is a plain per-pixel matrix multiply (1×1 window, stride 1, no padding).</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && StrideH == 1 && StrideW == 1 && PadTop == 0 && PadLeft == 0;
}
