using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>The 512-bit width of <see cref="ISimd{TVec}"/>: Vector512&lt;float&gt;.</summary>
internal unsafe readonly struct Simd512 : ISimd<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated;
    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, float* p) => Vector512.Store(v, p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Create(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> KeepWherePositive(Vector512<float> d, Vector512<float> y) => d & Vector512.GreaterThan(y, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> IndexRamp(int start) => (Vector512.Create(start) + Vector512<int>.Indices).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> EqualBits(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a.AsInt32(), b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint NonZeroLanes(Vector512<float> v) => ~(uint)Vector512.Equals(v, Vector512<float>.Zero).ExtractMostSignificantBits() & (uint)((1UL << Vector512<float>.Count) - 1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LoadInts(int* p) => Vector512.Load(p).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreInts(Vector512<float> v, int* p) => Vector512.Store(v.AsInt32(), p);
}
