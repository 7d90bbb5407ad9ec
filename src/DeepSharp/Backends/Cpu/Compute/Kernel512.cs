using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// AVX-512 micro-kernel: 12×32 tile of C in 24 zmm accumulators (two 16-float B vectors and one
/// broadcast of A per step leave 6 of the 32 registers free).
/// </summary>
internal unsafe struct Kernel512 : IMicroKernel
{
    public static int MR => 12;
    public static int NR => 32;
    public static int MC => 144;
    public static int KC => 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load, float* bias, bool relu)
    {
        var c0_0 = Vector512<float>.Zero; var c0_1 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero; var c1_1 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero; var c2_1 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero; var c3_1 = Vector512<float>.Zero;
        var c4_0 = Vector512<float>.Zero; var c4_1 = Vector512<float>.Zero;
        var c5_0 = Vector512<float>.Zero; var c5_1 = Vector512<float>.Zero;
        var c6_0 = Vector512<float>.Zero; var c6_1 = Vector512<float>.Zero;
        var c7_0 = Vector512<float>.Zero; var c7_1 = Vector512<float>.Zero;
        var c8_0 = Vector512<float>.Zero; var c8_1 = Vector512<float>.Zero;
        var c9_0 = Vector512<float>.Zero; var c9_1 = Vector512<float>.Zero;
        var c10_0 = Vector512<float>.Zero; var c10_1 = Vector512<float>.Zero;
        var c11_0 = Vector512<float>.Zero; var c11_1 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            var a8 = Vector512.Create(a[8]);
            c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0);
            c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            var a9 = Vector512.Create(a[9]);
            c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0);
            c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            var a10 = Vector512.Create(a[10]);
            c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0);
            c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            var a11 = Vector512.Create(a[11]);
            c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0);
            c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            a += 12;
            b += ldb;
        }
        if (!load && bias == null && !relu)
        {
            Vector512.Store(c0_0, c + 0 * ldc + 0);
            Vector512.Store(c0_1, c + 0 * ldc + 16);
            Vector512.Store(c1_0, c + 1 * ldc + 0);
            Vector512.Store(c1_1, c + 1 * ldc + 16);
            Vector512.Store(c2_0, c + 2 * ldc + 0);
            Vector512.Store(c2_1, c + 2 * ldc + 16);
            Vector512.Store(c3_0, c + 3 * ldc + 0);
            Vector512.Store(c3_1, c + 3 * ldc + 16);
            Vector512.Store(c4_0, c + 4 * ldc + 0);
            Vector512.Store(c4_1, c + 4 * ldc + 16);
            Vector512.Store(c5_0, c + 5 * ldc + 0);
            Vector512.Store(c5_1, c + 5 * ldc + 16);
            Vector512.Store(c6_0, c + 6 * ldc + 0);
            Vector512.Store(c6_1, c + 6 * ldc + 16);
            Vector512.Store(c7_0, c + 7 * ldc + 0);
            Vector512.Store(c7_1, c + 7 * ldc + 16);
            Vector512.Store(c8_0, c + 8 * ldc + 0);
            Vector512.Store(c8_1, c + 8 * ldc + 16);
            Vector512.Store(c9_0, c + 9 * ldc + 0);
            Vector512.Store(c9_1, c + 9 * ldc + 16);
            Vector512.Store(c10_0, c + 10 * ldc + 0);
            Vector512.Store(c10_1, c + 10 * ldc + 16);
            Vector512.Store(c11_0, c + 11 * ldc + 0);
            Vector512.Store(c11_1, c + 11 * ldc + 16);
            return;
        }
        StoreRow(c + 0 * ldc, c0_0, c0_1, load, bias, relu);
        StoreRow(c + 1 * ldc, c1_0, c1_1, load, bias, relu);
        StoreRow(c + 2 * ldc, c2_0, c2_1, load, bias, relu);
        StoreRow(c + 3 * ldc, c3_0, c3_1, load, bias, relu);
        StoreRow(c + 4 * ldc, c4_0, c4_1, load, bias, relu);
        StoreRow(c + 5 * ldc, c5_0, c5_1, load, bias, relu);
        StoreRow(c + 6 * ldc, c6_0, c6_1, load, bias, relu);
        StoreRow(c + 7 * ldc, c7_0, c7_1, load, bias, relu);
        StoreRow(c + 8 * ldc, c8_0, c8_1, load, bias, relu);
        StoreRow(c + 9 * ldc, c9_0, c9_1, load, bias, relu);
        StoreRow(c + 10 * ldc, c10_0, c10_1, load, bias, relu);
        StoreRow(c + 11 * ldc, c11_0, c11_1, load, bias, relu);
    }

    public static bool ReadsRows => true;

    /// <summary>
    /// The same 12×32 tile with A read where it is: A(i, p) = a[i·rowStride + p·depthStride] (no packing), which lets
    /// AVX-512 take the paths built on it (narrow GEMMs reading a convolution's rows in place, the implicit input
    /// gradient). Twelve row pointers do not all fit in registers, so some broadcasts read their pointer from the stack;
    /// <see cref="Run"/> stays its own loop on packed panels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunStrided(int kc, float* a, nint rowStride, nint depthStride, float* b, nint ldb, float* c, nint ldc,
        bool load, float* bias, bool relu)
    {
        var c0_0 = Vector512<float>.Zero; var c0_1 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero; var c1_1 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero; var c2_1 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero; var c3_1 = Vector512<float>.Zero;
        var c4_0 = Vector512<float>.Zero; var c4_1 = Vector512<float>.Zero;
        var c5_0 = Vector512<float>.Zero; var c5_1 = Vector512<float>.Zero;
        var c6_0 = Vector512<float>.Zero; var c6_1 = Vector512<float>.Zero;
        var c7_0 = Vector512<float>.Zero; var c7_1 = Vector512<float>.Zero;
        var c8_0 = Vector512<float>.Zero; var c8_1 = Vector512<float>.Zero;
        var c9_0 = Vector512<float>.Zero; var c9_1 = Vector512<float>.Zero;
        var c10_0 = Vector512<float>.Zero; var c10_1 = Vector512<float>.Zero;
        var c11_0 = Vector512<float>.Zero; var c11_1 = Vector512<float>.Zero;
        float* a0 = a, a1 = a + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride, a4 = a3 + rowStride, a5 = a4 + rowStride;
        float* a6 = a5 + rowStride, a7 = a6 + rowStride, a8 = a7 + rowStride, a9 = a8 + rowStride, a10 = a9 + rowStride, a11 = a10 + rowStride;
        nint end = kc * depthStride;
        for (nint p = 0; p != end; p += depthStride)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a0[p]);
            c0_0 = Vector512.FusedMultiplyAdd(x, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(x, b1, c0_1);
            x = Vector512.Create(a1[p]);
            c1_0 = Vector512.FusedMultiplyAdd(x, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(x, b1, c1_1);
            x = Vector512.Create(a2[p]);
            c2_0 = Vector512.FusedMultiplyAdd(x, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(x, b1, c2_1);
            x = Vector512.Create(a3[p]);
            c3_0 = Vector512.FusedMultiplyAdd(x, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(x, b1, c3_1);
            x = Vector512.Create(a4[p]);
            c4_0 = Vector512.FusedMultiplyAdd(x, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(x, b1, c4_1);
            x = Vector512.Create(a5[p]);
            c5_0 = Vector512.FusedMultiplyAdd(x, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(x, b1, c5_1);
            x = Vector512.Create(a6[p]);
            c6_0 = Vector512.FusedMultiplyAdd(x, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(x, b1, c6_1);
            x = Vector512.Create(a7[p]);
            c7_0 = Vector512.FusedMultiplyAdd(x, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(x, b1, c7_1);
            x = Vector512.Create(a8[p]);
            c8_0 = Vector512.FusedMultiplyAdd(x, b0, c8_0);
            c8_1 = Vector512.FusedMultiplyAdd(x, b1, c8_1);
            x = Vector512.Create(a9[p]);
            c9_0 = Vector512.FusedMultiplyAdd(x, b0, c9_0);
            c9_1 = Vector512.FusedMultiplyAdd(x, b1, c9_1);
            x = Vector512.Create(a10[p]);
            c10_0 = Vector512.FusedMultiplyAdd(x, b0, c10_0);
            c10_1 = Vector512.FusedMultiplyAdd(x, b1, c10_1);
            x = Vector512.Create(a11[p]);
            c11_0 = Vector512.FusedMultiplyAdd(x, b0, c11_0);
            c11_1 = Vector512.FusedMultiplyAdd(x, b1, c11_1);
            b += ldb;
        }
        StoreRow(c + 0 * ldc, c0_0, c0_1, load, bias, relu);
        StoreRow(c + 1 * ldc, c1_0, c1_1, load, bias, relu);
        StoreRow(c + 2 * ldc, c2_0, c2_1, load, bias, relu);
        StoreRow(c + 3 * ldc, c3_0, c3_1, load, bias, relu);
        StoreRow(c + 4 * ldc, c4_0, c4_1, load, bias, relu);
        StoreRow(c + 5 * ldc, c5_0, c5_1, load, bias, relu);
        StoreRow(c + 6 * ldc, c6_0, c6_1, load, bias, relu);
        StoreRow(c + 7 * ldc, c7_0, c7_1, load, bias, relu);
        StoreRow(c + 8 * ldc, c8_0, c8_1, load, bias, relu);
        StoreRow(c + 9 * ldc, c9_0, c9_1, load, bias, relu);
        StoreRow(c + 10 * ldc, c10_0, c10_1, load, bias, relu);
        StoreRow(c + 11 * ldc, c11_0, c11_1, load, bias, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* dst, Vector512<float> x0, Vector512<float> x1, bool load, float* bias, bool relu)
    {
        if (load) x0 += Vector512.Load(dst + 0);
        if (load) x1 += Vector512.Load(dst + 16);
        if (bias != null)
        {
            x0 += Vector512.Load(bias + 0);
            x1 += Vector512.Load(bias + 16);
        }
        if (relu)
        {
            x0 = Vector512.Max(x0, Vector512<float>.Zero);
            x1 = Vector512.Max(x1, Vector512<float>.Zero);
        }
        Vector512.Store(x0, dst + 0);
        Vector512.Store(x1, dst + 16);
    }
}
