using System.Runtime.InteropServices;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// A convolution's backward pass that visits only the nonzeros of dz. Behind a 2×2 max pooling at most a quarter
/// of dz is nonzero (one winner per window and channel), and the ReLU zeroes more; the dense GEMMs multiply all of
/// it. Same sums as the dense path, in another order:
///   dW[ky, kx, c, f] = Σ_{n, p} dz[n, p, f] · x[n, p·s + (ky, kx), c]
///   dx[n, p·s + (ky, kx), c] += dz[n, p, f] · W[ky, kx, c, f]      for every nonzero dz[n, p, f]
/// Each thread takes whole images: it gathers an image's nonzeros by row (for dx: a patch of dx gets the weighted sum
/// of the filters of its row's nonzeros) and by filter (for dW: a filter's gradient gets the weighted sum of the
/// patches of its nonzeros), and adds dW into its own partial sum; the partials are added at the end.
/// Filters are transposed to (F, KH, KW·C) so that one filter's row ky is a run of KW·C floats like the image row it
/// meets. Padding is handled by working on a zero-padded copy of the image.
/// </summary>
internal static class SparseConvGradient
{
    /// <summary>How many sparse passes ran (tests check that a layer took this path).</summary>
    internal static long Passes;

    /// <summary>
    /// The most workspace the pass may take (16 MB), as the dense path's column buffer is bounded: a padded layer keeps
    /// two padded copies of an image per thread, 26 MB for a 224×224×64 layer on 2 threads. Larger ones go dense.
    /// </summary>
    private const long MaxWorkspaceFloats = 1 << 22;

    private static int Slots(in ConvGeometry g) => Math.Max(1, Math.Min(Workers.ThreadCount, g.Batch));

    /// <summary>Rows of dz gathered at a time (so the lists stay small for big images).</summary>
    private const int MaxEntriesPerBlock = 1 << 15;

    /// <summary>
    /// Runs the sparse pass when dz is sparse enough (see <see cref="CpuBackendOptions.SparseBackwardMaxDensity"/>):
    /// dKernel and dx (either may be null) overwritten. False when it did not run and the dense path must.
    /// </summary>
    public static bool TryBackward(Tensor x, Tensor kernel, Tensor dz, Tensor? dx, Tensor? dKernel, in ConvGeometry g, ref float[]? workspace)
    {
        double maxDensity = CpuBackend.Settings.SparseBackwardMaxDensity;
        if (maxDensity <= 0 || (dx is null && dKernel is null)) return false;
        var plan = Plan.For(g, kernel.Dim(3), dx is not null);
        if (plan.Shared + (long)Slots(g) * plan.PerSlot > MaxWorkspaceFloats) return false;
        if (Density(dz.Data, g.OutPixels, kernel.Dim(3)) > maxDensity) return false;
        Backward(x, kernel, dz, dx, dKernel, g, ref workspace, VectorPaths.Best);
        return true;
    }

    /// <summary>The share of nonzeros in every 7th row of dz (rows × f).</summary>
    internal static double Density(float[] dz, int rows, int f)
    {
        long seen = 0, nonzero = 0;
        for (int r = 0; r < rows; r += 7)
        {
            var row = dz.AsSpan(r * f, f);
            foreach (float v in row) nonzero += v != 0f ? 1 : 0;
            seen += f;
        }
        return seen == 0 ? 0 : (double)nonzero / seen;
    }

    /// <summary>The sparse pass itself, at <paramref name="width"/> (tests run each width, and dense dz).</summary>
    internal static unsafe void Backward(Tensor x, Tensor kernel, Tensor dz, Tensor? dx, Tensor? dKernel, in ConvGeometry g,
        ref float[]? workspace, VectorWidth width)
    {
        Interlocked.Increment(ref Passes);
        var plan = Plan.For(g, kernel.Dim(3), dx is not null);
        int slots = Slots(g);
        var work = Conv2DOp.Workspace(ref workspace, plan.Shared + slots * plan.PerSlot);
        if (dx is not null) Transpose(kernel.Span, g, plan.F, work.AsSpan(0, plan.Filters), toFilterRows: true);
        var geometry = g;
        Workers.For(slots, s =>
        {
            fixed (float* pw = work, px = x.Data, pdz = dz.Data, pdx = dx is null ? null : dx.Data)
            {
                float* slot = pw + plan.Shared + (long)s * plan.PerSlot;
                if (dKernel is not null) new Span<float>(slot + plan.PartialAt, plan.Filters).Clear();
                for (int n = s; n < geometry.Batch; n += slots)
                    Image(geometry, plan, n, px, pdz, pdx, pw, slot, dKernel is not null, width);
            }
        });
        if (dKernel is null) return;
        var sum = work.AsSpan(plan.Shared + plan.PartialAt, plan.Filters);
        for (int s = 1; s < slots; s++)
            System.Numerics.Tensors.TensorPrimitives.Add(sum, work.AsSpan(plan.Shared + s * plan.PerSlot + plan.PartialAt, plan.Filters), sum);
        Transpose(sum, g, plan.F, dKernel.Span, toFilterRows: false);
    }

    /// <summary>One image: its dx (zeroed, then every row's nonzeros add their filters) and its share of dW.</summary>
    private static unsafe void Image(in ConvGeometry g, in Plan plan, int n, float* x, float* dz, float* dx, float* filters,
        float* slot, bool kernelGradient, VectorWidth width)
    {
        int c = g.InC, f = plan.F, run = g.KW * c, rows = g.OutH * g.OutW;
        long imageFloats = (long)g.InH * g.InW * c;
        float* xn = x + n * imageFloats, dxn = dx is null ? null : dx + n * imageFloats;
        // The padded image and dx the loops work on (the image itself when no padding is needed).
        float* xp = xn, dxp = dxn;
        if (plan.Padded)
        {
            xp = slot + plan.PaddedXAt;
            CopyPadded(g, plan, xn, xp, toPadded: true);
            if (dxn is not null) { dxp = slot + plan.PaddedDxAt; new Span<float>(dxp, plan.PaddedFloats).Clear(); }
        }
        else if (dxn is not null) new Span<float>(dxn, (int)imageFloats).Clear();
        int* rowStart = (int*)(slot + plan.RowStartAt), channel = (int*)(slot + plan.ChannelAt);
        float* value = slot + plan.ValueAt, byFilterValue = slot + plan.ByFilterValueAt;
        int* byFilterPixel = (int*)(slot + plan.ByFilterPixelAt), filterStart = (int*)(slot + plan.FilterStartAt);
        float* partial = slot + plan.PartialAt;
        int rowPitch = plan.PaddedW * c, filterFloats = g.KH * run;
        for (int r0 = 0; r0 < rows; r0 += plan.BlockRows)
        {
            int count = Math.Min(plan.BlockRows, rows - r0);
            int entries = SparseGradientKernels.GatherRows(dz + ((long)n * rows + r0) * f, count, f, rowStart, channel, value, width);
            if (entries == 0) continue;
            if (dxp is not null)
                for (int r = 0; r < count; r++)
                {
                    int e0 = rowStart[r], e1 = rowStart[r + 1];
                    if (e0 == e1) continue;
                    int oy = (r0 + r) / g.OutW, ox = (r0 + r) % g.OutW;
                    float* patch = dxp + (long)(oy * g.StrideH * plan.PaddedW + ox * g.StrideW) * c;
                    for (int ky = 0; ky < g.KH; ky++)
                        SparseGradientKernels.AccumulateRun(patch + ky * rowPitch, filters + ky * run, channel, value, e0, e1, filterFloats, run, width);
                }
            if (!kernelGradient) continue;
            // The same entries grouped by filter (a counting sort), each with its patch's first pixel in the padded image.
            new Span<int>(filterStart, f + 1).Clear();
            for (int e = 0; e < entries; e++) filterStart[channel[e] + 1]++;
            for (int k = 0; k < f; k++) filterStart[k + 1] += filterStart[k];
            for (int r = 0; r < count; r++)
            {
                int oy = (r0 + r) / g.OutW, ox = (r0 + r) % g.OutW, pixel = oy * g.StrideH * plan.PaddedW + ox * g.StrideW;
                for (int e = rowStart[r]; e < rowStart[r + 1]; e++)
                {
                    int at = filterStart[channel[e]]++;
                    byFilterPixel[at] = pixel;
                    byFilterValue[at] = value[e];
                }
            }
            // filterStart[k] now holds filter k's end; filter k's entries start at the previous filter's end.
            for (int k = 0, e0 = 0; k < f; e0 = filterStart[k], k++)
            {
                int e1 = filterStart[k];
                if (e0 == e1) continue;
                for (int ky = 0; ky < g.KH; ky++)
                    SparseGradientKernels.AccumulateRun(partial + (long)k * filterFloats + ky * run, xp + ky * rowPitch,
                        byFilterPixel, byFilterValue, e0, e1, c, run, width);
            }
        }
        if (plan.Padded && dxn is not null) CopyPadded(g, plan, dxn, dxp, toPadded: false);
    }

    /// <summary>
    /// Between an image (InH × InW × C) and its padded copy (PaddedH × PaddedW × C, the image at (PadTop, PadLeft),
    /// zeros around; rows or columns past the padded size are cut): to the copy, or the copy's inside back to the image.
    /// </summary>
    private static unsafe void CopyPadded(in ConvGeometry g, in Plan plan, float* image, float* padded, bool toPadded)
    {
        int c = g.InC;
        if (toPadded) new Span<float>(padded, plan.PaddedFloats).Clear();
        int y0 = Math.Max(0, -g.PadTop), y1 = Math.Min(g.InH, plan.PaddedH - g.PadTop);
        int x0 = Math.Max(0, -g.PadLeft), x1 = Math.Min(g.InW, plan.PaddedW - g.PadLeft);
        if (!toPadded) new Span<float>(image, g.InH * g.InW * c).Clear();
        if (x1 <= x0) return;
        for (int iy = y0; iy < y1; iy++)
        {
            var inImage = new Span<float>(image + ((long)iy * g.InW + x0) * c, (x1 - x0) * c);
            var inCopy = new Span<float>(padded + ((long)(iy + g.PadTop) * plan.PaddedW + x0 + g.PadLeft) * c, (x1 - x0) * c);
            if (toPadded) inImage.CopyTo(inCopy); else inCopy.CopyTo(inImage);
        }
    }

    /// <summary>Between Keras' (KH, KW, C, F) and filter rows (F, KH, KW·C).</summary>
    private static void Transpose(ReadOnlySpan<float> from, in ConvGeometry g, int f, Span<float> to, bool toFilterRows)
    {
        int k = g.PatchSize;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < f; j++)
            {
                if (toFilterRows) to[j * k + i] = from[i * f + j];
                else to[i * f + j] = from[j * k + i];
            }
    }

    /// <summary>Sizes and workspace offsets (in floats; the int lists share the float buffer).</summary>
    private readonly record struct Plan(int F, int Filters, int BlockRows, bool Padded, int PaddedH, int PaddedW, int PaddedFloats,
        int Shared, int PerSlot, int RowStartAt, int ChannelAt, int ValueAt, int ByFilterPixelAt, int ByFilterValueAt,
        int FilterStartAt, int PartialAt, int PaddedXAt, int PaddedDxAt)
    {
        public static Plan For(in ConvGeometry g, int f, bool inputGradient)
        {
            int filters = g.PatchSize * f;
            int rows = g.OutH * g.OutW, blockRows = Math.Clamp(MaxEntriesPerBlock / f, 1, rows), entries = blockRows * f;
            int paddedH = (g.OutH - 1) * g.StrideH + g.KH, paddedW = (g.OutW - 1) * g.StrideW + g.KW;
            bool padded = g.PadTop > 0 || g.PadLeft > 0 || paddedH > g.InH || paddedW > g.InW;
            if (!padded) { paddedH = g.InH; paddedW = g.InW; }
            int paddedFloats = padded ? paddedH * paddedW * g.InC : 0;
            int at = 0;
            int Take(int floats) { int start = at; at += (floats + 15) & ~15; return start; }
            int rowStart = Take(blockRows + 1), channel = Take(entries), value = Take(entries);
            int byPixel = Take(entries), byValue = Take(entries), filterStart = Take(f + 1), partial = Take(filters);
            int paddedX = Take(paddedFloats), paddedDx = Take(inputGradient ? paddedFloats : 0);
            int shared = (filters + 15) & ~15;
            return new Plan(f, filters, blockRows, padded, paddedH, paddedW, paddedFloats, shared, at,
                rowStart, channel, value, byPixel, byValue, filterStart, partial, paddedX, paddedDx);
        }
    }
}
