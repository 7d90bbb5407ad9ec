using DeepSharp.Onnx;
using DeepSharp.Saving;

namespace DeepSharp.Tests.Onnx;

/// <summary>
/// The ONNX project's own node tests (Debian libonnx-testdata, installed by .ci/run) for every operator DeepSharp imports:
/// each case's model.onnx is imported and run on its test_data_set_*/input_*.pb, and must give output_*.pb
/// (|actual - expected| ≤ 1e-5 + 1e-3·|expected|, ONNX's backend-test tolerance). Graph inputs after the first are
/// folded as constants (they are weights, pads or shapes). Cases that cannot be imported are listed in
/// <see cref="Refused"/> with the reason, and the test checks that they are refused with a clear error (so that
/// a case that starts working must move to the passing list).
/// </summary>
[Collection(HeavyOnnxTests.Name)]
public class OnnxNodeConformanceTests
{
    public const string Root = "/usr/share/libonnx-testdata/data/node";

    /// <summary>The case-name prefixes of the operators DeepSharp imports (Pad's cases are named *_pad).</summary>
    private static readonly string[] Prefixes =
    [
        "test_conv_", "test_basic_conv_", "test_maxpool_", "test_averagepool_", "test_globalaveragepool", "test_batchnorm_",
        "test_gemm_", "test_matmul_", "test_relu", "test_leakyrelu", "test_sigmoid", "test_tanh", "test_softmax_",
        "test_flatten_", "test_concat_", "test_reshape_", "test_constant_pad", "test_edge_pad", "test_reflect_pad",
        "test_add", "test_sub", "test_mul", "test_dropout_", "test_identity", "test_clip", "test_split_", "test_transpose_",
    ];

    /// <summary>Cases DeepSharp does not import, and why. Everything else under <see cref="Prefixes"/> must pass.</summary>
    public static readonly Dictionary<string, string> Refused = new()
    {
        // the batch axis: DeepSharp models keep axis 0 free for the batch, so ops along it or 1-D tensors cannot be imported
        ["test_concat_1d_axis_0"] = "1-D data: no axis besides the batch",
        ["test_concat_1d_axis_negative_1"] = "1-D data: no axis besides the batch",
        ["test_concat_2d_axis_0"] = "concatenates along the batch axis",
        ["test_concat_2d_axis_negative_2"] = "concatenates along the batch axis",
        ["test_concat_3d_axis_0"] = "concatenates along the batch axis",
        ["test_concat_3d_axis_negative_3"] = "concatenates along the batch axis",
        ["test_split_equal_parts_1d"] = "1-D data: no axis besides the batch",
        ["test_split_variable_parts_1d"] = "1-D data: no axis besides the batch",
        ["test_split_equal_parts_default_axis"] = "splits along the batch axis (ONNX's default axis 0)",
        ["test_split_variable_parts_default_axis"] = "splits along the batch axis (ONNX's default axis 0)",
        ["test_split_zero_size_splits"] = "1-D data with empty parts",
        ["test_softmax_axis_0"] = "softmax along the batch axis",
        ["test_softmax_axis_0_expanded"] = "softmax along the batch axis",
        ["test_flatten_axis0"] = "flattens the batch axis into the features",
        ["test_flatten_axis2"] = "axis 2 folds channels into the batch axis",
        ["test_flatten_axis3"] = "axis 3 folds channels and rows into the batch axis",
        ["test_flatten_negative_axis1"] = "axis -1 folds channels and rows into the batch axis",
        ["test_flatten_negative_axis2"] = "axis -2 folds channels into the batch axis",
        ["test_flatten_negative_axis4"] = "flattens the batch axis into the features",
        // 1-D data (a single axis, which DeepSharp takes as the batch)
        ["test_clip_example"] = "1-D data: no axis besides the batch",
        ["test_clip_inbounds"] = "1-D data: no axis besides the batch",
        ["test_clip_outbounds"] = "1-D data: no axis besides the batch",
        ["test_clip_splitbounds"] = "1-D data: no axis besides the batch",
        ["test_clip_default_inbounds"] = "1-D data: no axis besides the batch",
        ["test_mul_example"] = "1-D data: no axis besides the batch",
        ["test_sub_example"] = "1-D data: no axis besides the batch",
        ["test_leakyrelu_example"] = "1-D data: no axis besides the batch",
        ["test_sigmoid_example"] = "1-D data: no axis besides the batch",
        ["test_tanh_example"] = "1-D data: no axis besides the batch",
        ["test_dropout_default_old"] = "1-D data: no axis besides the batch",
        // two data inputs: DeepSharp models have one input, and the second cannot be folded as a constant because it
        // differs from sample to sample (it has the batch axis)
        ["test_add"] = "a second data input that varies along the batch axis",
        ["test_sub"] = "a second data input that varies along the batch axis",
        ["test_mul"] = "a second data input that varies along the batch axis",
        ["test_concat_2d_axis_1"] = "a second data input that varies along the batch axis",
        ["test_concat_2d_axis_negative_1"] = "a second data input that varies along the batch axis",
        ["test_concat_3d_axis_1"] = "a second data input that varies along the batch axis",
        ["test_concat_3d_axis_2"] = "a second data input that varies along the batch axis",
        ["test_concat_3d_axis_negative_1"] = "a second data input that varies along the batch axis",
        ["test_concat_3d_axis_negative_2"] = "a second data input that varies along the batch axis",
        // softmax written out with other operators
        ["test_softmax_axis_1_expanded"] = "written with ReduceMax, Exp, ReduceSum and Div, which DeepSharp does not import",
        ["test_softmax_axis_2_expanded"] = "written with ReduceMax, Exp, ReduceSum and Div, which DeepSharp does not import",
        ["test_softmax_default_axis_expanded"] = "written with ReduceMax, Exp, ReduceSum and Div, which DeepSharp does not import",
        ["test_softmax_example_expanded"] = "written with ReduceMax, Exp, ReduceSum and Div, which DeepSharp does not import",
        ["test_softmax_large_number_expanded"] = "written with ReduceMax, Exp, ReduceSum and Div, which DeepSharp does not import",
        ["test_softmax_negative_axis_expanded"] = "written with ReduceMax, Exp, ReduceSum and Div, which DeepSharp does not import",
        ["test_reshape_reordered_all_dims"] = "changes the batch axis",
        ["test_reshape_negative_extended_dims"] = "changes the batch axis",
        ["test_reshape_one_dim"] = "reshapes to 1-D, merging the batch axis",
        ["test_reshape_allowzero_reordered"] = "changes the batch axis (allowzero, a 0-size dimension)",
        ["test_gemm_transposeA"] = "transA=1: the batch axis would be the input's second axis",
        ["test_gemm_all_attributes"] = "transA=1: the batch axis would be the input's second axis",
        ["test_gemm_default_matrix_bias"] = "a per-row bias C depends on the batch",
        ["test_matmul_3d"] = "a batched second matrix (a different matrix per sample)",
        ["test_matmul_4d"] = "a batched second matrix (a different matrix per sample)",
        // operators or modes DeepSharp has no layer for
        ["test_averagepool_1d_default"] = "1-D pooling",
        ["test_maxpool_1d_default"] = "1-D pooling",
        ["test_averagepool_3d_default"] = "3-D pooling",
        ["test_maxpool_3d_default"] = "3-D pooling",
        ["test_maxpool_2d_dilations"] = "dilated pooling",
        ["test_maxpool_2d_uint8"] = "uint8 data (DeepSharp computes in float32)",
        ["test_maxpool_with_argmax_2d_precomputed_pads"] = "the indices output",
        ["test_maxpool_with_argmax_2d_precomputed_strides"] = "the indices output",
        ["test_batchnorm_epsilon_training_mode"] = "training-mode outputs (running mean and variance)",
        ["test_batchnorm_example_training_mode"] = "training-mode outputs (running mean and variance)",
        ["test_dropout_default_mask"] = "the mask output",
        ["test_dropout_default_mask_ratio"] = "the mask output",
        ["test_edge_pad"] = "edge padding (only constant zero padding)",
        ["test_reflect_pad"] = "reflect padding (only constant zero padding)",
        ["test_constant_pad"] = "padding with 1.2 (only zeros)",
        ["test_add_uint8"] = "uint8 data (DeepSharp computes in float32)",
        ["test_sub_uint8"] = "uint8 data (DeepSharp computes in float32)",
        ["test_mul_uint8"] = "uint8 data (DeepSharp computes in float32)",
        ["test_clip_default_int8_inbounds"] = "int8 data (DeepSharp computes in float32)",
        ["test_clip_default_int8_max"] = "int8 data (DeepSharp computes in float32)",
        ["test_clip_default_int8_min"] = "int8 data (DeepSharp computes in float32)",
        ["test_identity_opt"] = "an optional-typed input",
        ["test_identity_sequence"] = "a sequence-typed input",
        ["test_transpose_default"] = "reverses all axes, moving the batch axis",
        ["test_transpose_all_permutations_2"] = "moves the batch axis",
        ["test_transpose_all_permutations_3"] = "moves the batch axis",
        ["test_transpose_all_permutations_4"] = "moves the batch axis",
        ["test_transpose_all_permutations_5"] = "moves the batch axis",
    };

    private static IEnumerable<string> Cases() =>
        Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(Path.GetFileName).Where(n => Prefixes.Any(p => n!.StartsWith(p, StringComparison.Ordinal))).Order()!
            : [];

    public static TheoryData<string> Supported() => new(Cases().Where(c => !Refused.ContainsKey(c)));

    public static TheoryData<string> Unsupported() => new(Cases().Where(Refused.ContainsKey));

    [Fact]
    public void TheTestDataIsInstalled() =>
        Assert.True(Directory.Exists(Root), $"{Root} is missing: install the Debian package libonnx-testdata (.ci/run does).");

    [Theory]
    [MemberData(nameof(Supported))]
    public void NodeTestGivesTheExpectedOutputs(string name)
    {
        string dir = Path.Combine(Root, name);
        var model = OnnxFile.Read(Path.Combine(dir, "model.onnx"));
        var sets = Directory.GetDirectories(dir, "test_data_set_*").Order().ToList();
        Assert.NotEmpty(sets);
        foreach (var set in sets)
        {
            var inputs = Directory.GetFiles(set, "input_*.pb").Order().Select(OnnxFile.ReadTensor).ToList();
            var constants = new Dictionary<string, OnnxConstant>();
            for (int i = 1; i < inputs.Count; i++) constants[model.Graph.Input[i].Name] = inputs[i] with { Name = model.Graph.Input[i].Name };
            var x = inputs[0];
            for (int o = 0; o < model.Graph.Output.Count; o++)
            {
                var expected = OnnxFile.ReadTensor(Path.Combine(set, $"output_{o}.pb"));
                var (imported, channelsLast) = OnnxImporter.LoadWithLayout(model, name, x.Dims[1..].Select(d => (int)d).ToArray(),
                    model.Graph.Output[o].Name, constants);
                var y = imported.Predict(ToDeepSharp(x, x.Dims.Length == 4), batchSize: (int)x.Dims[0]);
                var want = ToDeepSharp(expected, channelsLast && expected.Dims.Length == 4);
                Assert.Equal(want.Shape.ToArray(), y.Shape.ToArray());
                for (int i = 0; i < want.Size; i++)
                {
                    float e = want.Data[i], a = y.Data[i];
                    Assert.True(Math.Abs(a - e) <= 1e-5f + 1e-3f * Math.Abs(e), $"{name} output {o} element {i}: {a} instead of {e}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void UnsupportedNodeTestIsRefusedWithAClearError(string name)
    {
        string dir = Path.Combine(Root, name);
        var e = Assert.ThrowsAny<Exception>(() =>
        {
            var model = OnnxFile.Read(Path.Combine(dir, "model.onnx"));
            var set = Directory.GetDirectories(dir, "test_data_set_*").Order().First();
            var inputs = Directory.GetFiles(set, "input_*.pb").Order().Select(OnnxFile.ReadTensor).ToList();
            var constants = new Dictionary<string, OnnxConstant>();
            for (int i = 1; i < inputs.Count; i++) constants[model.Graph.Input[i].Name] = inputs[i] with { Name = model.Graph.Input[i].Name };
            for (int o = 0; o < model.Graph.Output.Count; o++)
                OnnxImporter.LoadWithLayout(model, name, inputs[0].Dims[1..].Select(d => (int)d).ToArray(), model.Graph.Output[o].Name, constants);
        });
        Assert.True(e is ModelFileException, $"{name} ({Refused[name]}) failed with {e.GetType().Name} instead of a ModelFileException: {e.Message}");
        Assert.Contains(name, e.Message);
    }

    /// <summary>An ONNX tensor as a DeepSharp tensor, NCHW moved to NHWC when asked.</summary>
    internal static Tensor ToDeepSharp(OnnxConstant t, bool toNhwc)
    {
        var dims = t.Dims.Select(d => (int)d).ToArray();
        if (!toNhwc) return new Tensor(t.Values, dims.Length == 1 ? [dims[0], 1] : dims);
        var y = new Tensor(dims[0], dims[2], dims[3], dims[1]);
        DeepSharp.Backends.Cpu.AxisOps.Permute(new Tensor(t.Values, dims), y, [0, 2, 3, 1]);
        return y;
    }
}
