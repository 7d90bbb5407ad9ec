namespace DeepSharp.Backends;

/// <summary>An elementwise binary operation of <see cref="IBackend.BroadcastBinary"/>: y = a ∘ b.</summary>
internal enum BinaryOp
{
    /// <summary>a + b</summary>
    Add,
    /// <summary>a - b</summary>
    Subtract,
    /// <summary>a ⊙ b</summary>
    Multiply,
    /// <summary>a / b</summary>
    Divide,
}
