namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The float vector operations the width-generic kernels use, as static abstract members so that a kernel written
/// once as <c>Kernel&lt;TVec, TSimd&gt;</c> is compiled by the JIT into straight vector code for each width
/// (<see cref="Simd128"/>, <see cref="Simd256"/>, <see cref="Simd512"/>) with no calls left. Integer lanes (max
/// pooling's argmax) travel in the same registers, reinterpreted.
/// </summary>
/// <typeparam name="TVec">The vector type: Vector128&lt;float&gt;, Vector256&lt;float&gt; or Vector512&lt;float&gt;.</typeparam>
internal unsafe interface ISimd<TVec> where TVec : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>True when the JIT maps this width to hardware instructions (otherwise it is emulated, slowly but correctly).</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>All lanes 0.</summary>
    static abstract TVec Zero { get; }

    /// <summary>Count floats from p (unaligned).</summary>
    static abstract TVec Load(float* p);

    /// <summary>Count floats to p (unaligned).</summary>
    static abstract void Store(TVec v, float* p);

    /// <summary>Every lane x.</summary>
    static abstract TVec Create(float x);

    /// <summary>a + b.</summary>
    static abstract TVec Add(TVec a, TVec b);

    /// <summary>a - b.</summary>
    static abstract TVec Subtract(TVec a, TVec b);

    /// <summary>a · b.</summary>
    static abstract TVec Multiply(TVec a, TVec b);

    /// <summary>a / b.</summary>
    static abstract TVec Divide(TVec a, TVec b);

    /// <summary>√a.</summary>
    static abstract TVec Sqrt(TVec a);

    /// <summary>a · b + c, fused where the CPU has FMA (ARM64, AVX2, AVX-512), else a multiply and an add.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>max(a, b) per lane.</summary>
    static abstract TVec Max(TVec a, TVec b);

    /// <summary>y &gt; 0 ? d : 0 per lane (ReLU's backward from its output y).</summary>
    static abstract TVec KeepWherePositive(TVec d, TVec y);

    /// <summary>All bits set in the lanes where a &gt; b, else 0.</summary>
    static abstract TVec GreaterThan(TVec a, TVec b);

    /// <summary>mask ? a : b, bit by bit.</summary>
    static abstract TVec Select(TVec mask, TVec a, TVec b);

    /// <summary>a &amp; b, bit by bit.</summary>
    static abstract TVec And(TVec a, TVec b);

    /// <summary>Integer lanes start, start + 1, ..., start + Count - 1 (in the float vector's bits).</summary>
    static abstract TVec IndexRamp(int start);

    /// <summary>All bits set in the lanes where the integers a and b are equal, else 0.</summary>
    static abstract TVec EqualBits(TVec a, TVec b);

    /// <summary>Bit i set where lane i is not 0 (or -0).</summary>
    static abstract uint NonZeroLanes(TVec v);

    /// <summary>Count integers from p (into the float vector's bits).</summary>
    static abstract TVec LoadInts(int* p);

    /// <summary>The integer lanes to p.</summary>
    static abstract void StoreInts(TVec v, int* p);
}
