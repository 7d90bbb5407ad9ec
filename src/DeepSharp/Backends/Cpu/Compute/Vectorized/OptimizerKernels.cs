using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The optimizers' elementwise updates on [i0, i1): whole vectors at the widest accelerated width (or
/// <c>width</c>, for tests), then scalars. Vectors and scalars do the same operations in the same order (no fused
/// multiply-add), so every width gives the same bits as the scalar loop.
/// </summary>
internal static unsafe class OptimizerKernels
{
    /// <summary>
    /// Adam (Keras' form, bias corrections folded into alpha): m += (g - m)·b1, v += (g² - v)·b2,
    /// w -= alpha·m / (√v + eps), with b1 = 1 - β1 and b2 = 1 - β2. With AMSGrad (<paramref name="vHat"/> not null)
    /// v̂ = max(v̂, v) takes v's place in the denominator (Keras 3's adam.py).
    /// </summary>
    public static void Adam(float* w, float* g, float* m, float* v, float* vHat, int i0, int i1, float alpha, float b1, float b2, float eps, VectorWidth? width = null)
    {
        int i = (width ?? VectorPaths.Best) switch
        {
            VectorWidth.W512 => Adam<Vector512<float>, Simd512>(w, g, m, v, vHat, i0, i1, alpha, b1, b2, eps),
            VectorWidth.W256 => Adam<Vector256<float>, Simd256>(w, g, m, v, vHat, i0, i1, alpha, b1, b2, eps),
            VectorWidth.W128 => Adam<Vector128<float>, Simd128>(w, g, m, v, vHat, i0, i1, alpha, b1, b2, eps),
            _ => i0,
        };
        for (; i < i1; i++)
        {
            m[i] += (g[i] - m[i]) * b1;
            v[i] += (g[i] * g[i] - v[i]) * b2;
            float d = v[i];
            if (vHat != null) d = vHat[i] = MathF.Max(vHat[i], d);
            w[i] -= alpha * m[i] / (MathF.Sqrt(d) + eps);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Adam<TVec, S>(float* w, float* g, float* m, float* v, float* vHat, int i0, int i1, float alpha, float b1, float b2, float eps)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int i = i0, lanes = S.Count;
        var vb1 = S.Create(b1); var vb2 = S.Create(b2); var va = S.Create(alpha); var ve = S.Create(eps);
        for (; i + lanes <= i1; i += lanes)
        {
            var gi = S.Load(g + i);
            var mi = S.Load(m + i);
            mi = S.Add(mi, S.Multiply(S.Subtract(gi, mi), vb1));
            S.Store(mi, m + i);
            var vi = S.Load(v + i);
            vi = S.Add(vi, S.Multiply(S.Subtract(S.Multiply(gi, gi), vi), vb2));
            S.Store(vi, v + i);
            if (vHat != null)
            {
                vi = S.Max(S.Load(vHat + i), vi);
                S.Store(vi, vHat + i);
            }
            S.Store(S.Subtract(S.Load(w + i), S.Divide(S.Multiply(va, mi), S.Add(S.Sqrt(vi), ve))), w + i);
        }
        return i;
    }

    /// <summary>
    /// Adagrad (Keras' form, eps inside the square root): a += g², w -= lr·g / √(a + eps).
    /// </summary>
    public static void Adagrad(float* w, float* g, float* a, int i0, int i1, float lr, float eps, VectorWidth? width = null)
    {
        int i = (width ?? VectorPaths.Best) switch
        {
            VectorWidth.W512 => Adagrad<Vector512<float>, Simd512>(w, g, a, i0, i1, lr, eps),
            VectorWidth.W256 => Adagrad<Vector256<float>, Simd256>(w, g, a, i0, i1, lr, eps),
            VectorWidth.W128 => Adagrad<Vector128<float>, Simd128>(w, g, a, i0, i1, lr, eps),
            _ => i0,
        };
        for (; i < i1; i++)
        {
            a[i] += g[i] * g[i];
            w[i] -= lr * g[i] / MathF.Sqrt(a[i] + eps);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Adagrad<TVec, S>(float* w, float* g, float* a, int i0, int i1, float lr, float eps)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int i = i0, lanes = S.Count;
        var vlr = S.Create(lr); var veps = S.Create(eps);
        for (; i + lanes <= i1; i += lanes)
        {
            var gi = S.Load(g + i);
            var ai = S.Add(S.Load(a + i), S.Multiply(gi, gi));
            S.Store(ai, a + i);
            S.Store(S.Subtract(S.Load(w + i), S.Divide(S.Multiply(vlr, gi), S.Sqrt(S.Add(ai, veps)))), w + i);
        }
        return i;
    }

    /// <summary>
    /// Nadam (Keras' form): m += (g - m)·b1, v += (g² - v)·b2, m̂ = c1·m + c2·g, v̂ = v / bc2,
    /// w -= lr·m̂ / (√v̂ + eps), with c1 = u(t+1) / (1 - Π u up to t+1) and c2 = (1 - u(t)) / (1 - Π u up to t).
    /// </summary>
    public static void Nadam(float* w, float* g, float* m, float* v, int i0, int i1, float lr, float b1, float b2, float c1, float c2, float bc2, float eps, VectorWidth? width = null)
    {
        int i = (width ?? VectorPaths.Best) switch
        {
            VectorWidth.W512 => Nadam<Vector512<float>, Simd512>(w, g, m, v, i0, i1, lr, b1, b2, c1, c2, bc2, eps),
            VectorWidth.W256 => Nadam<Vector256<float>, Simd256>(w, g, m, v, i0, i1, lr, b1, b2, c1, c2, bc2, eps),
            VectorWidth.W128 => Nadam<Vector128<float>, Simd128>(w, g, m, v, i0, i1, lr, b1, b2, c1, c2, bc2, eps),
            _ => i0,
        };
        for (; i < i1; i++)
        {
            m[i] += (g[i] - m[i]) * b1;
            v[i] += (g[i] * g[i] - v[i]) * b2;
            float mHat = c1 * m[i] + c2 * g[i];
            w[i] -= lr * mHat / (MathF.Sqrt(v[i] / bc2) + eps);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Nadam<TVec, S>(float* w, float* g, float* m, float* v, int i0, int i1, float lr, float b1, float b2, float c1, float c2, float bc2, float eps)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int i = i0, lanes = S.Count;
        var vb1 = S.Create(b1); var vb2 = S.Create(b2); var vlr = S.Create(lr); var ve = S.Create(eps);
        var vc1 = S.Create(c1); var vc2 = S.Create(c2); var vbc2 = S.Create(bc2);
        for (; i + lanes <= i1; i += lanes)
        {
            var gi = S.Load(g + i);
            var mi = S.Add(S.Load(m + i), S.Multiply(S.Subtract(gi, S.Load(m + i)), vb1));
            S.Store(mi, m + i);
            var vi = S.Add(S.Load(v + i), S.Multiply(S.Subtract(S.Multiply(gi, gi), S.Load(v + i)), vb2));
            S.Store(vi, v + i);
            var mHat = S.Add(S.Multiply(vc1, mi), S.Multiply(vc2, gi));
            S.Store(S.Subtract(S.Load(w + i), S.Divide(S.Multiply(vlr, mHat), S.Add(S.Sqrt(S.Divide(vi, vbc2)), ve))), w + i);
        }
        return i;
    }

    /// <summary>
    /// RMSprop (Keras' form, eps inside the square root): a = ρ·a + (1 - ρ)·g²; with momentum
    /// v = μ·v + lr·g / √(a + eps), w -= v; without (v null), w -= lr·g / √(a + eps).
    /// </summary>
    public static void RMSprop(float* w, float* g, float* a, float* v, int i0, int i1, float lr, float rho, float eps, float momentum, VectorWidth? width = null)
    {
        int i = (width ?? VectorPaths.Best) switch
        {
            VectorWidth.W512 => RMSprop<Vector512<float>, Simd512>(w, g, a, v, i0, i1, lr, rho, eps, momentum),
            VectorWidth.W256 => RMSprop<Vector256<float>, Simd256>(w, g, a, v, i0, i1, lr, rho, eps, momentum),
            VectorWidth.W128 => RMSprop<Vector128<float>, Simd128>(w, g, a, v, i0, i1, lr, rho, eps, momentum),
            _ => i0,
        };
        if (momentum > 0)
        {
            for (; i < i1; i++)
            {
                a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
                v[i] = momentum * v[i] + lr * g[i] / MathF.Sqrt(a[i] + eps);
                w[i] -= v[i];
            }
            return;
        }
        for (; i < i1; i++)
        {
            a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
            w[i] -= lr * g[i] / MathF.Sqrt(a[i] + eps);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int RMSprop<TVec, S>(float* w, float* g, float* a, float* v, int i0, int i1, float lr, float rho, float eps, float momentum)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int i = i0, lanes = S.Count;
        var vrho = S.Create(rho); var vkeep = S.Create(1 - rho); var vlr = S.Create(lr); var veps = S.Create(eps);
        if (momentum > 0)
        {
            var vmom = S.Create(momentum);
            for (; i + lanes <= i1; i += lanes)
            {
                var gi = S.Load(g + i);
                var ai = S.Add(S.Multiply(vrho, S.Load(a + i)), S.Multiply(S.Multiply(vkeep, gi), gi));
                S.Store(ai, a + i);
                var vi = S.Add(S.Multiply(vmom, S.Load(v + i)), S.Divide(S.Multiply(vlr, gi), S.Sqrt(S.Add(ai, veps))));
                S.Store(vi, v + i);
                S.Store(S.Subtract(S.Load(w + i), vi), w + i);
            }
            return i;
        }
        for (; i + lanes <= i1; i += lanes)
        {
            var gi = S.Load(g + i);
            var ai = S.Add(S.Multiply(vrho, S.Load(a + i)), S.Multiply(S.Multiply(vkeep, gi), gi));
            S.Store(ai, a + i);
            S.Store(S.Subtract(S.Load(w + i), S.Divide(S.Multiply(vlr, gi), S.Sqrt(S.Add(ai, veps)))), w + i);
        }
        return i;
    }
}
