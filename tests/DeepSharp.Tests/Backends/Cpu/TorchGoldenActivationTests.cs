using DeepSharp.Backends;
using DeepSharp.Backends.Reference;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>
/// Every activation Keras 3 knows by the names DeepSharp takes, forward and gradient, against PyTorch float64
/// (tests/fixtures/torch/make_names_fixtures.py: x uniform in [-7, 7], a (6, 10) batch; dx = d(Σ y·dy)/dx), through
/// both backends' interface. In the Backends namespace, so tools/test-knobs.sh runs it at every vector width.
/// </summary>
public class TorchGoldenActivationTests
{
    public static TheoryData<string> Names => new(ActivationNames.Names);

    /// <remarks>
    /// PyTorch: relu6 = F.relu6, leaky_relu = F.leaky_relu(x, 0.2), elu = F.elu(x, 1.0), selu = F.selu,
    /// gelu = F.gelu(x, approximate="none"), gelu_approximate = F.gelu(x, approximate="tanh"), silu = F.silu,
    /// softplus = F.softplus, hard_sigmoid = F.hardsigmoid, softmax = torch.softmax(x, -1).
    /// </remarks>
    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardAndGradientMatchPyTorch(string name)
    {
        var c = TorchFixtures.Case("activation_" + name);
        var kind = ActivationNames.Parse(name, "test");
        foreach (var backend in new IBackend[] { Backend.Cpu, new ReferenceBackend() })
        {
            var (x, dy) = (c.Tensor("x"), c.Tensor("dy"));
            var (y, dx) = (new Tensor(x.ShapeArray), new Tensor(x.ShapeArray));
            backend.Activation(kind, x, y);
            backend.ActivationBackward(kind, x, y, dy, dx);
            c.AssertMatches("y", y, rtol: 1e-5, atol: 1e-6);
            c.AssertMatches("dx", dx, rtol: 1e-5, atol: 1e-6);
        }
    }

    [Fact]
    public void EveryKindHasAName() =>
        Assert.Equal(Enum.GetValues<ActivationKind>().Length, ActivationNames.Names.Count());
}
