using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Copies blocks of A and B into the order the micro-kernels read them. Packing absorbs the transposes
/// and strides, and pads edge panels with zeros so the kernels always see full MR×kc and kc×NR panels.
/// A panel of width w and depth kc holds element (p, i) at panel[p·w + i].
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [i0, i0+mc) and depth [p0, p0+kc) of op(A) into MR-row panels: panel r holds
    /// A(i0 + r·MR + i, p0 + p) at dst[r·MR·kc + p·MR + i].
    /// </summary>
    public static void PackA(bool transA, float* a, nint lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        if (transA)
        {
            Contiguous(a + p0 * lda + i0, lda, mc, kc, mr, dst); // A(i, p) = a[p·lda + i]
            return;
        }
        for (int ip = 0; ip < mc; ip += mr)
            Transposed(a + (i0 + ip) * lda + p0, lda, Math.Min(mr, mc - ip), kc, mr, dst + (nint)ip * kc); // A(i, p) = a[i·lda + p]
    }

    /// <summary>
    /// Packs depth [p0, p0+kc) and columns [j0, j0+nc) of op(B) into NR-column panels: panel s holds
    /// B(p0 + p, j0 + s·NR + j) at dst[s·NR·kc + p·NR + j].
    /// </summary>
    public static void PackB(bool transB, float* b, nint ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        if (!transB)
        {
            Contiguous(b + p0 * ldb + j0, ldb, nc, kc, nr, dst); // B(p, j) = b[p·ldb + j]
            return;
        }
        for (int jp = 0; jp < nc; jp += nr)
            Transposed(b + (j0 + jp) * ldb + p0, ldb, Math.Min(nr, nc - jp), kc, nr, dst + (nint)jp * kc); // B(p, j) = b[j·ldb + p]
    }

    /// <summary>
    /// The source stores each depth step as a contiguous run of all panels' elements: panel s gets
    /// panel_s[p·width + i] = src[p·ld + s·width + i] for s·width + i &lt; total, zero beyond.
    /// Walks the source row by row (p outer) so that it streams through memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Contiguous(float* src, nint ld, int total, int kc, int width, float* dst)
    {
        nint panelSize = (nint)width * kc;
        for (int p = 0; p < kc; p++, src += ld)
        {
            float* panel = dst + p * width;
            for (int s0 = 0; s0 < total; s0 += width, panel += panelSize)
            {
                float* from = src + s0;
                int count = Math.Min(width, total - s0);
                int i = 0;
                if (Vector512.IsHardwareAccelerated)
                    for (; i + 16 <= count; i += 16) Vector512.Store(Vector512.Load(from + i), panel + i);
                if (Vector256.IsHardwareAccelerated)
                    for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(from + i), panel + i);
                for (; i + 4 <= count; i += 4) Vector128.Store(Vector128.Load(from + i), panel + i);
                for (; i < count; i++) panel[i] = from[i];
                for (; i < width; i++) panel[i] = 0f;
            }
        }
    }

    /// <summary>
    /// The source stores each panel row as a contiguous run over depth: panel[p·width + i] = src[i·ld + p]
    /// for i &lt; count, zero for count ≤ i &lt; width. Transposes 4×4 blocks in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transposed(float* src, nint ld, int count, int kc, int width, float* panel)
    {
        int i = 0;
        if (Sse.IsSupported || AdvSimd.Arm64.IsSupported)
        {
            for (; i + 4 <= count; i += 4)
            {
                float* s0 = src + i * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
                float* d = panel + i;
                int p = 0;
                for (; p + 4 <= kc; p += 4)
                {
                    float* dp = d + p * width;
                    Transpose4(Vector128.Load(s0 + p), Vector128.Load(s1 + p), Vector128.Load(s2 + p), Vector128.Load(s3 + p), dp, width);
                }
                for (; p < kc; p++)
                {
                    float* dp = d + p * width;
                    dp[0] = s0[p];
                    dp[1] = s1[p];
                    dp[2] = s2[p];
                    dp[3] = s3[p];
                }
            }
        }
        for (; i < count; i++)
        {
            float* s = src + i * ld;
            for (int p = 0; p < kc; p++) panel[p * width + i] = s[p];
        }
        for (; i < width; i++)
            for (int p = 0; p < kc; p++) panel[p * width + i] = 0f;
    }

    /// <summary>Rows r0..r3 (4 floats each) stored as columns: dst[j·stride + i] = r_i[j]. SSE unpacks or ARM64 zips.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(Vector128<float> r0, Vector128<float> r1, Vector128<float> r2, Vector128<float> r3, float* dst, int stride)
    {
        if (Sse.IsSupported)
        {
            var t0 = Sse.UnpackLow(r0, r1);   // r0[0] r1[0] r0[1] r1[1]
            var t1 = Sse.UnpackLow(r2, r3);   // r2[0] r3[0] r2[1] r3[1]
            var t2 = Sse.UnpackHigh(r0, r1);  // r0[2] r1[2] r0[3] r1[3]
            var t3 = Sse.UnpackHigh(r2, r3);  // r2[2] r3[2] r2[3] r3[3]
            Vector128.Store(Sse.MoveLowToHigh(t0, t1), dst);
            Vector128.Store(Sse.MoveHighToLow(t1, t0), dst + stride);
            Vector128.Store(Sse.MoveLowToHigh(t2, t3), dst + 2 * stride);
            Vector128.Store(Sse.MoveHighToLow(t3, t2), dst + 3 * stride);
        }
        else
        {
            var t0 = AdvSimd.Arm64.ZipLow(r0, r1).AsDouble();   // r0[0] r1[0] | r0[1] r1[1]
            var t1 = AdvSimd.Arm64.ZipLow(r2, r3).AsDouble();
            var t2 = AdvSimd.Arm64.ZipHigh(r0, r1).AsDouble();  // r0[2] r1[2] | r0[3] r1[3]
            var t3 = AdvSimd.Arm64.ZipHigh(r2, r3).AsDouble();
            Vector128.Store(AdvSimd.Arm64.ZipLow(t0, t1).AsSingle(), dst);
            Vector128.Store(AdvSimd.Arm64.ZipHigh(t0, t1).AsSingle(), dst + stride);
            Vector128.Store(AdvSimd.Arm64.ZipLow(t2, t3).AsSingle(), dst + 2 * stride);
            Vector128.Store(AdvSimd.Arm64.ZipHigh(t2, t3).AsSingle(), dst + 3 * stride);
        }
    }
}
