using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>The 256-bit width of <see cref="ISimd{TVec}"/>: Vector256&lt;float&gt;.</summary>
internal unsafe readonly struct Simd256 : ISimd<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;
    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, float* p) => Vector256.Store(v, p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Create(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> KeepWherePositive(Vector256<float> d, Vector256<float> y) => d & Vector256.GreaterThan(y, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> IndexRamp(int start) => (Vector256.Create(start) + Vector256<int>.Indices).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> EqualBits(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a.AsInt32(), b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint NonZeroLanes(Vector256<float> v) => ~(uint)Vector256.Equals(v, Vector256<float>.Zero).ExtractMostSignificantBits() & (uint)((1UL << Vector256<float>.Count) - 1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LoadInts(int* p) => Vector256.Load(p).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreInts(Vector256<float> v, int* p) => Vector256.Store(v.AsInt32(), p);
}
