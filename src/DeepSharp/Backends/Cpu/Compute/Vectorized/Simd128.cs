using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>The 128-bit width of <see cref="ISimd{TVec}"/>: Vector128&lt;float&gt;.</summary>
internal unsafe readonly struct Simd128 : ISimd<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    public static bool IsAccelerated => Vector128.IsHardwareAccelerated;
    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, float* p) => Vector128.Store(v, p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Create(float x) => Vector128.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> a) => Vector128.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> KeepWherePositive(Vector128<float> d, Vector128<float> y) => d & Vector128.GreaterThan(y, Vector128<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Select(Vector128<float> mask, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> And(Vector128<float> a, Vector128<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> IndexRamp(int start) => (Vector128.Create(start) + Vector128<int>.Indices).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> EqualBits(Vector128<float> a, Vector128<float> b) => Vector128.Equals(a.AsInt32(), b.AsInt32()).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint NonZeroLanes(Vector128<float> v) => ~(uint)Vector128.Equals(v, Vector128<float>.Zero).ExtractMostSignificantBits() & (uint)((1UL << Vector128<float>.Count) - 1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LoadInts(int* p) => Vector128.Load(p).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreInts(Vector128<float> v, int* p) => Vector128.Store(v.AsInt32(), p);
}
