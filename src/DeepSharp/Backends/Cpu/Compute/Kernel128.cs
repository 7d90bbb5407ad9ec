using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// 128-bit micro-kernel: 6×8 tile of C in 12 Vector128 accumulators (12 + 2 B vectors + 1 broadcast = 15 registers,
/// within x64's 16 xmm and ARM64's 32 NEON registers). The path of ARM64 (AdvSimd, fused multiply-add) and of
/// x64 machines without AVX2 (SSE: a multiply and an add).
/// </summary>
internal unsafe struct Kernel128 : IMicroKernel
{
    public static int MR => 6;
    public static int NR => 8;
    public static int MC => 120;
    public static int KC => 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load, float* bias, bool relu)
    {
        var c0_0 = Vector128<float>.Zero; var c0_1 = Vector128<float>.Zero;
        var c1_0 = Vector128<float>.Zero; var c1_1 = Vector128<float>.Zero;
        var c2_0 = Vector128<float>.Zero; var c2_1 = Vector128<float>.Zero;
        var c3_0 = Vector128<float>.Zero; var c3_1 = Vector128<float>.Zero;
        var c4_0 = Vector128<float>.Zero; var c4_1 = Vector128<float>.Zero;
        var c5_0 = Vector128<float>.Zero; var c5_1 = Vector128<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 4);
            var a0 = Vector128.Create(a[0]);
            c0_0 = Vector128.MultiplyAddEstimate(a0, b0, c0_0);
            c0_1 = Vector128.MultiplyAddEstimate(a0, b1, c0_1);
            var a1 = Vector128.Create(a[1]);
            c1_0 = Vector128.MultiplyAddEstimate(a1, b0, c1_0);
            c1_1 = Vector128.MultiplyAddEstimate(a1, b1, c1_1);
            var a2 = Vector128.Create(a[2]);
            c2_0 = Vector128.MultiplyAddEstimate(a2, b0, c2_0);
            c2_1 = Vector128.MultiplyAddEstimate(a2, b1, c2_1);
            var a3 = Vector128.Create(a[3]);
            c3_0 = Vector128.MultiplyAddEstimate(a3, b0, c3_0);
            c3_1 = Vector128.MultiplyAddEstimate(a3, b1, c3_1);
            var a4 = Vector128.Create(a[4]);
            c4_0 = Vector128.MultiplyAddEstimate(a4, b0, c4_0);
            c4_1 = Vector128.MultiplyAddEstimate(a4, b1, c4_1);
            var a5 = Vector128.Create(a[5]);
            c5_0 = Vector128.MultiplyAddEstimate(a5, b0, c5_0);
            c5_1 = Vector128.MultiplyAddEstimate(a5, b1, c5_1);
            a += 6;
            b += ldb;
        }
        StoreRow(c + 0 * ldc, c0_0, c0_1, load, bias, relu);
        StoreRow(c + 1 * ldc, c1_0, c1_1, load, bias, relu);
        StoreRow(c + 2 * ldc, c2_0, c2_1, load, bias, relu);
        StoreRow(c + 3 * ldc, c3_0, c3_1, load, bias, relu);
        StoreRow(c + 4 * ldc, c4_0, c4_1, load, bias, relu);
        StoreRow(c + 5 * ldc, c5_0, c5_1, load, bias, relu);
    }

    public static bool ReadsRows => true;

    /// <summary>
    /// The same 6×8 tile with A read where it is: A(i, p) = a[i·rowStride + p·depthStride] (no packing), so 128-bit
    /// vectors take the paths built on it too (narrow GEMMs reading a convolution's rows in place, the implicit input
    /// gradient); whether they pay at this width is <see cref="CpuBackendOptions.GemmReadRowsMaxColumns"/>' default.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunStrided(int kc, float* a, nint rowStride, nint depthStride, float* b, nint ldb, float* c, nint ldc,
        bool load, float* bias, bool relu)
    {
        var c0_0 = Vector128<float>.Zero; var c0_1 = Vector128<float>.Zero;
        var c1_0 = Vector128<float>.Zero; var c1_1 = Vector128<float>.Zero;
        var c2_0 = Vector128<float>.Zero; var c2_1 = Vector128<float>.Zero;
        var c3_0 = Vector128<float>.Zero; var c3_1 = Vector128<float>.Zero;
        var c4_0 = Vector128<float>.Zero; var c4_1 = Vector128<float>.Zero;
        var c5_0 = Vector128<float>.Zero; var c5_1 = Vector128<float>.Zero;
        float* a0 = a, a1 = a + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride, a4 = a3 + rowStride, a5 = a4 + rowStride;
        nint end = kc * depthStride;
        for (nint p = 0; p != end; p += depthStride)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 4);
            var x = Vector128.Create(a0[p]);
            c0_0 = Vector128.MultiplyAddEstimate(x, b0, c0_0);
            c0_1 = Vector128.MultiplyAddEstimate(x, b1, c0_1);
            x = Vector128.Create(a1[p]);
            c1_0 = Vector128.MultiplyAddEstimate(x, b0, c1_0);
            c1_1 = Vector128.MultiplyAddEstimate(x, b1, c1_1);
            x = Vector128.Create(a2[p]);
            c2_0 = Vector128.MultiplyAddEstimate(x, b0, c2_0);
            c2_1 = Vector128.MultiplyAddEstimate(x, b1, c2_1);
            x = Vector128.Create(a3[p]);
            c3_0 = Vector128.MultiplyAddEstimate(x, b0, c3_0);
            c3_1 = Vector128.MultiplyAddEstimate(x, b1, c3_1);
            x = Vector128.Create(a4[p]);
            c4_0 = Vector128.MultiplyAddEstimate(x, b0, c4_0);
            c4_1 = Vector128.MultiplyAddEstimate(x, b1, c4_1);
            x = Vector128.Create(a5[p]);
            c5_0 = Vector128.MultiplyAddEstimate(x, b0, c5_0);
            c5_1 = Vector128.MultiplyAddEstimate(x, b1, c5_1);
            b += ldb;
        }
        StoreRow(c + 0 * ldc, c0_0, c0_1, load, bias, relu);
        StoreRow(c + 1 * ldc, c1_0, c1_1, load, bias, relu);
        StoreRow(c + 2 * ldc, c2_0, c2_1, load, bias, relu);
        StoreRow(c + 3 * ldc, c3_0, c3_1, load, bias, relu);
        StoreRow(c + 4 * ldc, c4_0, c4_1, load, bias, relu);
        StoreRow(c + 5 * ldc, c5_0, c5_1, load, bias, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* dst, Vector128<float> x0, Vector128<float> x1, bool load, float* bias, bool relu)
    {
        if (load)
        {
            x0 += Vector128.Load(dst + 0);
            x1 += Vector128.Load(dst + 4);
        }
        if (bias != null)
        {
            x0 += Vector128.Load(bias + 0);
            x1 += Vector128.Load(bias + 4);
        }
        if (relu)
        {
            x0 = Vector128.Max(x0, Vector128<float>.Zero);
            x1 = Vector128.Max(x1, Vector128<float>.Zero);
        }
        Vector128.Store(x0, dst + 0);
        Vector128.Store(x1, dst + 4);
    }
}
