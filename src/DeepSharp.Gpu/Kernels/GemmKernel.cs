using ILGPU;
using ILGPU.Runtime;

namespace DeepSharp.Gpu.Kernels;

/// <summary>How the GEMM kernel reads its left operand A (M × K).</summary>
internal enum GemmA
{
    /// <summary>A row-major M × K matrix.</summary>
    Plain = 0,

    /// <summary>A stored K × M (row-major): A = Sᵀ.</summary>
    Transposed = 1,

    /// <summary>The implicit im2col matrix of an NHWC input: row = output pixel, column = (ky, kx, c) tap.</summary>
    Im2Col = 2,

    /// <summary>The transposed implicit im2col matrix: row = tap, column = output pixel (a kernel gradient).</summary>
    Im2ColTransposed = 3,
}

/// <summary>The GEMM kernel's arguments (a struct: kernels take their arguments by value).</summary>
internal struct GemmArgs
{
    public int M, N, K;
    public GemmA AMode;

    /// <summary>1: B is stored N × K (B = Sᵀ); 0: row-major K × N.</summary>
    public int BTransposed;

    public int HasBias, Relu;
    public ConvShape Conv;
}

/// <summary>
/// C (M × N, row-major) = op(A) · op(B) (+ bias per column, then ReLU): a shared-memory tiled GEMM, one 16 × 16 group per
/// 16 × 16 tile of C, the K axis staged through shared memory 16 at a time. op(A) may be an implicit im2col of an
/// NHWC input (the convolution forward and kernel gradient never materialize the patch matrix).
/// Not register-blocked yet (issue 22: one output per thread).
/// </summary>
internal static class GemmKernel
{
    public const int Tile = 16;

    public static void Run(ArrayView1D<float, Stride1D.Dense> a, ArrayView1D<float, Stride1D.Dense> b,
        ArrayView1D<float, Stride1D.Dense> c, ArrayView1D<float, Stride1D.Dense> bias, GemmArgs p)
    {
        var tileA = SharedMemory.Allocate<float>(Tile * Tile);
        var tileB = SharedMemory.Allocate<float>(Tile * Tile);
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * Tile + ty, col = Grid.IdxX * Tile + tx;
        float acc = 0;
        for (int k0 = 0; k0 < p.K; k0 += Tile)
        {
            int ka = k0 + tx, kb = k0 + ty;
            tileA[ty * Tile + tx] = row < p.M && ka < p.K ? LoadA(a, p, row, ka) : 0f;
            tileB[ty * Tile + tx] = kb < p.K && col < p.N ? (p.BTransposed != 0 ? b[col * p.K + kb] : b[kb * p.N + col]) : 0f;
            Group.Barrier();
            for (int k = 0; k < Tile; k++) acc += tileA[ty * Tile + k] * tileB[k * Tile + tx];
            Group.Barrier();
        }
        if (row < p.M && col < p.N)
        {
            if (p.HasBias != 0) acc += bias[col];
            if (p.Relu != 0 && acc < 0) acc = 0;
            c[row * p.N + col] = acc;
        }
    }

    private static float LoadA(ArrayView1D<float, Stride1D.Dense> a, GemmArgs p, int row, int k) => p.AMode switch
    {
        GemmA.Plain => a[row * p.K + k],
        GemmA.Transposed => a[k * p.M + row],
        GemmA.Im2Col => Im2Col(a, p.Conv, row, k),
        _ => Im2Col(a, p.Conv, k, row),
    };

    /// <summary>The im2col entry of output pixel <paramref name="pixel"/> (n, oy, ox) and tap (ky, kx, c): x there, or 0 in the padding.</summary>
    public static float Im2Col(ArrayView1D<float, Stride1D.Dense> x, ConvShape g, int pixel, int tap)
    {
        int ox = pixel % g.OutW, t = pixel / g.OutW;
        int oy = t % g.OutH, n = t / g.OutH;
        int ci = tap % g.InC, t2 = tap / g.InC;
        int kx = t2 % g.KW, ky = t2 / g.KW;
        int iy = oy * g.StrideH - g.PadTop + ky, ix = ox * g.StrideW - g.PadLeft + kx;
        if (iy < 0 || iy >= g.InH || ix < 0 || ix >= g.InW) return 0f;
        return x[((n * g.InH + iy) * g.InW + ix) * g.InC + ci];
    }
}
