using System.Globalization;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Every path choice of the CPU backend in one object: which convolution algorithms it may take, when its sparse and
/// fused backward passes run, how wide its vectors are and how many threads it uses. The backend reads these at each
/// call (never per element), so a change takes effect at the next operation. The defaults are the measured winners
/// for this machine's vector width (each property's doc says what was measured); <see cref="FromEnvironment"/> lets
/// the <c>DEEPSHARP_*</c> variables named there override them, which is what <see cref="Backend.Cpu"/> starts with.
/// </summary>
/// <example><code>
/// Backend.Cpu.Options.Threads = 1;                    // single-threaded, e.g. for deterministic timing
/// Backend.Cpu.Options.Winograd = false;               // every 3×3 convolution on the implicit GEMM instead
/// Backend.Cpu.Options = new CpuBackendOptions();      // back to this machine's defaults, ignoring DEEPSHARP_* variables
/// </code></example>
public sealed class CpuBackendOptions
{
    private int _threads = Environment.ProcessorCount;
    private VectorWidth _vectorWidth;
    private int _winogradMinChannels;
    private int _winogradKernelGradientMinChannels = 64;
    private int _winogradThreadChunkFloats;
    private double _sparseBackwardMaxDensity;
    private int _im2ColChunkFloats = 1 << 20;
    private int _gemmReadRowsMaxColumns = 128;

    /// <summary>
    /// The sparse backward's threshold where it is on (<see cref="SparseBackwardMaxDensity"/>): measured on the 2-core
    /// AVX2 VM, <c>bench -- sparse-backward --threads 1 --cpu-time</c> (MNIST's conv2d_1, batch 64, dense dx + dW
    /// against the sparse pass, ms): 12 % nonzeros 9.0 vs 3.0, 25 % 8.9 vs 5.0, 40 % 8.8 vs 7.6, 55 % 8.9 vs 10.4.
    /// <c>bench -- ab --switch sparse-backward</c> (on/off step time): MNIST training 0.71 (2 threads), cats-vs-dogs
    /// 0.56; with DOTNET_EnableAVX2=0 (128-bit vectors) 0.61 and 0.46. Up to 45 % instead of 30 % gained nothing.
    /// </summary>
    public const double DefaultSparseBackwardMaxDensity = 0.3;

    /// <summary>This machine's defaults (the <c>DEEPSHARP_*</c> variables are not read: see <see cref="FromEnvironment"/>).</summary>
    public CpuBackendOptions() : this(VectorPaths.Hardware) { }

    /// <summary>
    /// The defaults measured for <paramref name="width"/> (each property's doc says what was measured at each width), with
    /// the kernels at that width: <c>new CpuBackendOptions(VectorWidth.W256)</c> is what a process started with
    /// <c>DOTNET_EnableAVX512=0</c> gets. A width this process does not accelerate is refused.
    /// </summary>
    /// <example><code>Backend.Cpu.Options = new CpuBackendOptions(VectorWidth.W128);   // the 128-bit paths and their defaults</code></example>
    public CpuBackendOptions(VectorWidth width)
    {
        VectorWidth = width;
        var d = WidthDefaults.For(width);
        _winogradMinChannels = d.WinogradMinChannels;
        WinogradKernelGradient = d.WinogradKernelGradient;
        _winogradThreadChunkFloats = d.WinogradThreadChunkFloats;
        _sparseBackwardMaxDensity = d.SparseBackwardMaxDensity;
        ImplicitInputGradient = d.ImplicitInputGradient;
    }

    /// <summary>
    /// How many threads the kernels use (1: single-threaded); default the number of processors
    /// (<c>DEEPSHARP_THREADS</c>). Threads split a GEMM's rows or columns, Winograd's tile chunks and a batch's images.
    /// </summary>
    public int Threads
    {
        get => _threads;
        set => _threads = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(Threads), $"CpuBackendOptions.Threads must be at least 1, got {value}.");
    }

    /// <summary>
    /// The vector width the kernels run at: the elementwise, pooling, optimizer, Winograd-transform and sparse-gradient
    /// kernels and the GEMM's micro-kernel. Default the widest this process accelerates (the runtime's
    /// <c>DOTNET_EnableAVX512F=0</c>, <c>DOTNET_EnableAVX2=0</c> and <c>DOTNET_EnableHWIntrinsic=0</c> narrow that);
    /// a width the process does not accelerate is refused. Results agree across widths within float32 rounding.
    /// </summary>
    public VectorWidth VectorWidth
    {
        get => _vectorWidth;
        set => _vectorWidth = VectorPaths.IsAccelerated(value) ? value
            : throw new PlatformNotSupportedException($"CpuBackendOptions.VectorWidth: {value} vectors are not accelerated in this process ({VectorPaths.Describe()}). Use {VectorPaths.Hardware} or narrower.");
    }

    /// <summary>
    /// Whether 3×3 stride-1 convolutions with at least <see cref="WinogradMinChannels"/> input channels (and channel
    /// counts that the vector lanes divide) run as Winograd F(2×2, 3×3): 16 GEMMs over channels instead of 36
    /// multiply-adds per pair. Default on (<c>DEEPSHARP_WINOGRAD=0</c> turns it off).
    /// </summary>
    public bool Winograd { get; set; } = true;

    /// <summary>
    /// Fewest input channels for which a convolution takes the Winograd path (its 16 GEMMs have depth C). Default per
    /// width (docs/ARCHITECTURE.md, "Paths per vector width"): 32 with AVX2 (cats-vs-dogs conv2d_1 forward 66 ms direct,
    /// 44-48 ms Winograd on an AVX2 core); 64 with AVX-512 (<c>bench -- ab --switch winograd-32</c>: from 32 channels
    /// MNIST training 1.07, cats-vs-dogs 1.00 of the step time); 32 with 128-bit vectors (MNIST 0.92, cats-vs-dogs 0.88).
    /// <c>DEEPSHARP_WINOGRAD_MIN_CHANNELS</c>.
    /// </summary>
    public int WinogradMinChannels
    {
        get => _winogradMinChannels;
        set => _winogradMinChannels = Positive(value, nameof(WinogradMinChannels));
    }

    /// <summary>
    /// Whether the input gradient of a Winograd layer is itself computed on the Winograd path. Default off: on the
    /// cats-vs-dogs convnet it ran no faster than dy·Wᵀ + col2im and slower on MNIST's 32-channel conv (6.3 vs 4.2 ms).
    /// <c>DEEPSHARP_WINOGRAD_DGRAD=1</c> turns it on.
    /// </summary>
    public bool WinogradInputGradient { get; set; }

    /// <summary>
    /// Whether the kernel gradient of a Winograd layer with at least <see cref="WinogradKernelGradientMinChannels"/>
    /// input channels is computed in the Winograd domain (16 GEMMs over the tiles, then Gᵀ·dU·G). Default per width,
    /// measured at each: on with AVX2 (cats-vs-dogs training 0.90 of the step time on 2 threads) and AVX-512 (0.93 on
    /// 2 threads, 1.00 on one); off with 128-bit vectors. <c>DEEPSHARP_WINOGRAD_WGRAD=0|1</c>.
    /// </summary>
    public bool WinogradKernelGradient { get; set; }

    /// <summary>
    /// Fewest input channels for the Winograd kernel gradient: its GEMMs have C rows, so with 32 channels packing eats
    /// the saving (MNIST training 1.04-1.06 of the step time from 32). Default 64
    /// (<c>DEEPSHARP_WINOGRAD_WGRAD_MIN_CHANNELS</c>).
    /// </summary>
    public int WinogradKernelGradientMinChannels
    {
        get => _winogradKernelGradientMinChannels;
        set => _winogradKernelGradientMinChannels = Positive(value, nameof(WinogradKernelGradientMinChannels));
    }

    /// <summary>
    /// Floats of transformed inputs and products one thread's chunk of Winograd tiles may use when each thread runs
    /// whole chunks in its own cache (0: every chunk is split over the threads instead). Default per width: 64K floats
    /// with AVX2 (<c>bench -- ab --switch winograd-per-thread</c>: MNIST training 0.96-0.97, cats-vs-dogs 0.98 of the step
    /// time); 0 with AVX-512 (cats-vs-dogs 1.07-1.22 on a loaded machine) and 128-bit vectors. <c>DEEPSHARP_WINOGRAD_THREAD_FLOATS</c>.
    /// </summary>
    public int WinogradThreadChunkFloats
    {
        get => _winogradThreadChunkFloats;
        set => _winogradThreadChunkFloats = NonNegative(value, nameof(WinogradThreadChunkFloats));
    }

    /// <summary>
    /// Whether convolutions with 16+ input channels that are not on the Winograd path run as an implicit GEMM (the GEMM
    /// packs im2col rows straight from the image, no column buffer), forward and kernel gradient. Layers on 1 or 3
    /// channels always use im2col + GEMM (cats-vs-dogs step 0.209 s with the implicit GEMM on its first layer, 0.163 s
    /// without). Default on (<c>DEEPSHARP_IMPLICIT=0</c> turns it off).
    /// </summary>
    public bool ImplicitGemm { get; set; } = true;

    /// <summary>
    /// Whether the input gradient of a stride-1 convolution with 16 to 128 input channels is an implicit-GEMM
    /// convolution of dy with the flipped kernel instead of dy·Wᵀ then col2im (cats-vs-dogs conv2d_1 on one AVX2 core:
    /// 56-64 ms against 96-106 ms; with AVX-512, <c>bench -- ab --switch implicit-dgrad --threads 1 --cpu-time</c>:
    /// cats-vs-dogs 0.91, MNIST 0.94 of the step time). Small outputs keep col2im (MNIST's conv2d_2). It needs a
    /// micro-kernel that reads A's rows in place (every width has one). Default on with AVX2 and AVX-512, off with
    /// 128-bit vectors (cats-vs-dogs 1.02 of the step time there) and without SIMD (<c>DEEPSHARP_IMPLICIT_DGRAD=0|1</c>).
    /// </summary>
    public bool ImplicitInputGradient { get; set; }

    /// <summary>
    /// Largest im2col buffer (floats) one chunk of images may use on the im2col + GEMM path (at least one image): 1M
    /// floats (4 MB), so the column buffer stays in the caches between im2col and the GEMM. <c>DEEPSHARP_COLUMN_FLOATS</c>.
    /// </summary>
    public int Im2ColChunkFloats
    {
        get => _im2ColChunkFloats;
        set => _im2ColChunkFloats = Positive(value, nameof(Im2ColChunkFloats));
    }

    /// <summary>
    /// The largest share of nonzeros in a convolution's output gradient (sampled from every 7th row) for which its
    /// backward visits only the nonzeros (behind a max pooling and a ReLU most of it is zero); 0 turns the sparse
    /// backward off. Default <see cref="DefaultSparseBackwardMaxDensity"/> at every vector width (measured at each:
    /// docs/ARCHITECTURE.md), 0 without SIMD. <c>DEEPSHARP_SPARSE_DENSITY</c>.
    /// </summary>
    public double SparseBackwardMaxDensity
    {
        get => _sparseBackwardMaxDensity;
        set => _sparseBackwardMaxDensity = value is >= 0 and <= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(SparseBackwardMaxDensity), $"CpuBackendOptions.SparseBackwardMaxDensity is a share of nonzeros between 0 (off) and 1, got {value}.");
    }

    /// <summary>
    /// Whether a first layer (no input gradient) with a small patch (KH·KW·C ≤ 32) and ReLU or no activation computes its
    /// kernel and bias gradients in one pass over dy, without im2col (MNIST's first conv: 1.9 ms backward before).
    /// Default on (<c>DEEPSHARP_DIRECT_WGRAD=0</c> turns it off).
    /// </summary>
    public bool FirstLayerDirectGradient { get; set; } = true;

    /// <summary>
    /// Whether such a first layer, followed by a max pooling, takes the pooling's gradient unscattered and forms its
    /// gradient from the pooled values and winners in the same pass (the dense gradient between the two is never
    /// written). <c>bench -- ab --switch fuse-pool-backward</c> on the 2-core AVX2 VM: MNIST training 0.94-0.95,
    /// cats-vs-dogs 0.96 of the step time; with AVX-512 MNIST 0.91 (one thread, CPU time). Default on (<c>DEEPSHARP_FUSE_POOL_BACKWARD=0</c> turns it off).
    /// </summary>
    public bool PooledKernelGradient { get; set; } = true;

    /// <summary>
    /// Whether max pooling in inference computes the maxima only, keeping no winner indices (a backward pass after it,
    /// as Grad-CAM runs, recomputes them). MNIST inference, batch 256, 2 AVX2 threads: 0.96 of the time. Default on.
    /// </summary>
    public bool MaxPoolSkipsWinnersInInference { get; set; } = true;

    /// <summary>
    /// Widest C (columns per thread) for which a GEMM micro-kernel that can read A's rows in place does so instead of
    /// packing A (a convolution's filters: the packing would cost more than the product). Default 128 at every width
    /// (<c>bench -- ab --switch gemm-read-rows --threads 1 --cpu-time</c>, on/off step time: AVX-512 MNIST training
    /// 0.87, cats-vs-dogs 0.98; 128-bit vectors MNIST 0.96). <c>DEEPSHARP_GEMM_ROWS_MAX_N</c>; 0: always pack.
    /// </summary>
    public int GemmReadRowsMaxColumns
    {
        get => _gemmReadRowsMaxColumns;
        set => _gemmReadRowsMaxColumns = NonNegative(value, nameof(GemmReadRowsMaxColumns));
    }

    /// <summary>A copy whose changes do not touch this one.</summary>
    public CpuBackendOptions Clone() => (CpuBackendOptions)MemberwiseClone();

    /// <summary>
    /// This machine's defaults with the <c>DEEPSHARP_*</c> variables named in each property's doc applied (unset or empty
    /// ones keep the default). A value that does not parse is refused with the variable's name.
    /// </summary>
    public static CpuBackendOptions FromEnvironment()
    {
        var o = new CpuBackendOptions();
        if (Int("DEEPSHARP_THREADS") is int threads) o.Threads = threads;
        if (Flag("DEEPSHARP_WINOGRAD") is bool winograd) o.Winograd = winograd;
        if (Int("DEEPSHARP_WINOGRAD_MIN_CHANNELS") is int minChannels) o.WinogradMinChannels = minChannels;
        if (Flag("DEEPSHARP_WINOGRAD_DGRAD") is bool dgrad) o.WinogradInputGradient = dgrad;
        if (Flag("DEEPSHARP_WINOGRAD_WGRAD") is bool wgrad) o.WinogradKernelGradient = wgrad;
        if (Int("DEEPSHARP_WINOGRAD_WGRAD_MIN_CHANNELS") is int wgradMin) o.WinogradKernelGradientMinChannels = wgradMin;
        if (Int("DEEPSHARP_WINOGRAD_THREAD_FLOATS") is int chunk) o.WinogradThreadChunkFloats = chunk;
        if (Flag("DEEPSHARP_IMPLICIT") is bool implicitGemm) o.ImplicitGemm = implicitGemm;
        if (Flag("DEEPSHARP_IMPLICIT_DGRAD") is bool implicitDgrad) o.ImplicitInputGradient = implicitDgrad;
        if (Int("DEEPSHARP_COLUMN_FLOATS") is int column) o.Im2ColChunkFloats = column;
        if (Number("DEEPSHARP_SPARSE_DENSITY") is double density) o.SparseBackwardMaxDensity = density;
        if (Flag("DEEPSHARP_DIRECT_WGRAD") is bool direct) o.FirstLayerDirectGradient = direct;
        if (Flag("DEEPSHARP_FUSE_POOL_BACKWARD") is bool pooled) o.PooledKernelGradient = pooled;
        if (Int("DEEPSHARP_GEMM_ROWS_MAX_N") is int rows) o.GemmReadRowsMaxColumns = rows;
        return o;
    }

    /// <summary>Each setting and its value on one line, for logs and benchmark headers.</summary>
    public override string ToString() =>
        $"threads {Threads}, {VectorWidth} vectors, winograd {OnOff(Winograd)} (from {WinogradMinChannels} channels; dgrad {OnOff(WinogradInputGradient)}, "
        + $"wgrad {OnOff(WinogradKernelGradient)} from {WinogradKernelGradientMinChannels}; per-thread chunks {WinogradThreadChunkFloats} floats), "
        + $"implicit GEMM {OnOff(ImplicitGemm)}, implicit dgrad {OnOff(ImplicitInputGradient)}, im2col chunk {Im2ColChunkFloats} floats, "
        + $"sparse backward up to {SparseBackwardMaxDensity.ToString(CultureInfo.InvariantCulture)}, first-layer direct gradient {OnOff(FirstLayerDirectGradient)}, "
        + $"pooled kernel gradient {OnOff(PooledKernelGradient)}, max-pool winners skipped in inference {OnOff(MaxPoolSkipsWinnersInInference)}, "
        + $"GEMM reads rows up to {GemmReadRowsMaxColumns} columns";

    private static string OnOff(bool on) => on ? "on" : "off";

    private static int Positive(int value, string name) => value >= 1 ? value
        : throw new ArgumentOutOfRangeException(name, $"CpuBackendOptions.{name} must be at least 1, got {value}.");

    private static int NonNegative(int value, string name) => value >= 0 ? value
        : throw new ArgumentOutOfRangeException(name, $"CpuBackendOptions.{name} must be 0 or more, got {value}.");

    private static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } s ? s.Trim() : null;

    private static int? Int(string name) => Read(name) is not { } s ? null
        : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
        : throw new ArgumentException($"Environment variable {name}='{s}' is not an integer. Unset it or give a whole number.");

    private static double? Number(string name) => Read(name) is not { } s ? null
        : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
        : throw new ArgumentException($"Environment variable {name}='{s}' is not a number. Unset it or give a number such as 0.3.");

    private static bool? Flag(string name) => Read(name) switch
    {
        null => null,
        "0" or "false" or "False" => false,
        "1" or "true" or "True" => true,
        var s => throw new ArgumentException($"Environment variable {name}='{s}' is not a switch. Unset it, or set 0 (off) or 1 (on)."),
    };
}
