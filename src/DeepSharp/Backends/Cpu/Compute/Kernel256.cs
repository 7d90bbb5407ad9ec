using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// AVX2+FMA micro-kernel: 6×16 tile of C in 12 ymm accumulators (the classic Haswell shape:
/// 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 registers).
/// </summary>
internal unsafe struct Kernel256 : IMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int MC => 120;
    public static int KC => 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load, float* bias, bool relu)
    {
        var c0_0 = Vector256<float>.Zero; var c0_1 = Vector256<float>.Zero;
        var c1_0 = Vector256<float>.Zero; var c1_1 = Vector256<float>.Zero;
        var c2_0 = Vector256<float>.Zero; var c2_1 = Vector256<float>.Zero;
        var c3_0 = Vector256<float>.Zero; var c3_1 = Vector256<float>.Zero;
        var c4_0 = Vector256<float>.Zero; var c4_1 = Vector256<float>.Zero;
        var c5_0 = Vector256<float>.Zero; var c5_1 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector256.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector256.Create(a[1]);
            c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector256.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector256.Create(a[2]);
            c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector256.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector256.Create(a[3]);
            c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector256.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector256.Create(a[4]);
            c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector256.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector256.Create(a[5]);
            c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector256.FusedMultiplyAdd(a5, b1, c5_1);
            a += 6;
            b += ldb;
        }
        if (!load && bias == null && !relu)
        {
            Vector256.Store(c0_0, c + 0 * ldc + 0);
            Vector256.Store(c0_1, c + 0 * ldc + 8);
            Vector256.Store(c1_0, c + 1 * ldc + 0);
            Vector256.Store(c1_1, c + 1 * ldc + 8);
            Vector256.Store(c2_0, c + 2 * ldc + 0);
            Vector256.Store(c2_1, c + 2 * ldc + 8);
            Vector256.Store(c3_0, c + 3 * ldc + 0);
            Vector256.Store(c3_1, c + 3 * ldc + 8);
            Vector256.Store(c4_0, c + 4 * ldc + 0);
            Vector256.Store(c4_1, c + 4 * ldc + 8);
            Vector256.Store(c5_0, c + 5 * ldc + 0);
            Vector256.Store(c5_1, c + 5 * ldc + 8);
            return;
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
    /// The same 6×16 tile with A read where it is: A(i, p) = a[i·rowStride + p·depthStride] (no packing). <see cref="Run"/>
    /// stays its own loop: written as this one with strides (1, 6), packed GEMMs measured slower on one AVX2 core
    /// (CPU time, 3 alternated runs: 10368×288×64 at 42-63 GFLOP/s against 73-81).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunStrided(int kc, float* a, nint rowStride, nint depthStride, float* b, nint ldb, float* c, nint ldc,
        bool load, float* bias, bool relu)
    {
        var c0_0 = Vector256<float>.Zero; var c0_1 = Vector256<float>.Zero;
        var c1_0 = Vector256<float>.Zero; var c1_1 = Vector256<float>.Zero;
        var c2_0 = Vector256<float>.Zero; var c2_1 = Vector256<float>.Zero;
        var c3_0 = Vector256<float>.Zero; var c3_1 = Vector256<float>.Zero;
        var c4_0 = Vector256<float>.Zero; var c4_1 = Vector256<float>.Zero;
        var c5_0 = Vector256<float>.Zero; var c5_1 = Vector256<float>.Zero;
        float* a0 = a, a1 = a + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride, a4 = a3 + rowStride, a5 = a4 + rowStride;
        nint end = kc * depthStride;
        for (nint p = 0; p != end; p += depthStride)
        {
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a0[p]);
            c0_0 = Vector256.FusedMultiplyAdd(x, b0, c0_0);
            c0_1 = Vector256.FusedMultiplyAdd(x, b1, c0_1);
            x = Vector256.Create(a1[p]);
            c1_0 = Vector256.FusedMultiplyAdd(x, b0, c1_0);
            c1_1 = Vector256.FusedMultiplyAdd(x, b1, c1_1);
            x = Vector256.Create(a2[p]);
            c2_0 = Vector256.FusedMultiplyAdd(x, b0, c2_0);
            c2_1 = Vector256.FusedMultiplyAdd(x, b1, c2_1);
            x = Vector256.Create(a3[p]);
            c3_0 = Vector256.FusedMultiplyAdd(x, b0, c3_0);
            c3_1 = Vector256.FusedMultiplyAdd(x, b1, c3_1);
            x = Vector256.Create(a4[p]);
            c4_0 = Vector256.FusedMultiplyAdd(x, b0, c4_0);
            c4_1 = Vector256.FusedMultiplyAdd(x, b1, c4_1);
            x = Vector256.Create(a5[p]);
            c5_0 = Vector256.FusedMultiplyAdd(x, b0, c5_0);
            c5_1 = Vector256.FusedMultiplyAdd(x, b1, c5_1);
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
    private static void StoreRow(float* dst, Vector256<float> x0, Vector256<float> x1, bool load, float* bias, bool relu)
    {
        if (load) x0 += Vector256.Load(dst + 0);
        if (load) x1 += Vector256.Load(dst + 8);
        if (bias != null)
        {
            x0 += Vector256.Load(bias + 0);
            x1 += Vector256.Load(bias + 8);
        }
        if (relu)
        {
            x0 = Vector256.Max(x0, Vector256<float>.Zero);
            x1 = Vector256.Max(x1, Vector256<float>.Zero);
        }
        Vector256.Store(x0, dst + 0);
        Vector256.Store(x1, dst + 8);
    }
}
