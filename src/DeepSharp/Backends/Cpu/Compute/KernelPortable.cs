using System.Numerics;
using System.Runtime.CompilerServices;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Portable micro-kernel: 4 rows × two <see cref="Vector{T}"/> widths of C in 8 accumulators.
/// Runs on any CPU (Vector&lt;float&gt; falls back to scalar code where there is no SIMD).
/// </summary>
internal unsafe struct KernelPortable : IMicroKernel
{
    public static int MR => 4;
    public static int NR => 2 * Vector<float>.Count;
    public static int MC => 128;
    public static int KC => 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load, float* bias, bool relu)
    {
        int w = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector.Load(b);
            var b1 = Vector.Load(b + w);
            var a0 = new Vector<float>(a[0]);
            c00 = Vector.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector.FusedMultiplyAdd(a0, b1, c01);
            var a1 = new Vector<float>(a[1]);
            c10 = Vector.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector.FusedMultiplyAdd(a1, b1, c11);
            var a2 = new Vector<float>(a[2]);
            c20 = Vector.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector.FusedMultiplyAdd(a2, b1, c21);
            var a3 = new Vector<float>(a[3]);
            c30 = Vector.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector.FusedMultiplyAdd(a3, b1, c31);
            a += 4;
            b += ldb;
        }
        StoreRow(c, c00, c01, w, load, bias, relu);
        StoreRow(c + ldc, c10, c11, w, load, bias, relu);
        StoreRow(c + 2 * ldc, c20, c21, w, load, bias, relu);
        StoreRow(c + 3 * ldc, c30, c31, w, load, bias, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* dst, Vector<float> x0, Vector<float> x1, int w, bool load, float* bias, bool relu)
    {
        if (load)
        {
            x0 += Vector.Load(dst);
            x1 += Vector.Load(dst + w);
        }
        if (bias != null)
        {
            x0 += Vector.Load(bias);
            x1 += Vector.Load(bias + w);
        }
        if (relu)
        {
            x0 = Vector.Max(x0, Vector<float>.Zero);
            x1 = Vector.Max(x1, Vector<float>.Zero);
        }
        Vector.Store(x0, dst);
        Vector.Store(x1, dst + w);
    }
}
