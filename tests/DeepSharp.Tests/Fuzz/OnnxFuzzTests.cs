using DeepSharp.Onnx;
using DeepSharp.Onnx.Proto;
using DeepSharp.Saving;
using DeepSharp.Tests.Onnx;

namespace DeepSharp.Tests.Fuzz;

/// <summary>
/// Seeded mutation fuzzing of the ONNX importer (issue 10), over the two small fixtures that use every supported
/// operator (tests/fixtures/onnx/cnn.onnx and branches.onnx). Property, for each mutant: <see cref="OnnxModel.Load(Stream, string, int[])"/>
/// either imports it or throws <see cref="ModelFileException"/> whose message names the file, and allocates at most
/// 64 MB on the way (a 2 KB file that declares a 2^40-value tensor must not allocate it). Three kinds of mutants:
/// bytes (the generic <see cref="Mutator"/>), protobuf length fields re-encoded with false lengths
/// (<see cref="ProtobufWire"/>), and well-formed models with hostile contents (<see cref="OnnxMutator"/>). A mutant
/// that breaks the property is saved under tests/fixtures/fuzz/onnx*/ and replayed first by every later run.
/// </summary>
[Collection("Fuzz")]
public class OnnxFuzzTests
{
    private const long Bound = 64L << 20;
    private const string Name = "fuzz.onnx";

    private static readonly string[] Fixtures = ["cnn.onnx", "branches.onnx"];

    private static byte[][] SeedBytes() => Fixtures.Select(f => File.ReadAllBytes(OnnxModelTests.Fixture(f))).ToArray();

    /// <summary>
    /// Imports the bytes. Breaks the property (by throwing an undocumented exception): a refusal whose message does not
    /// name the file; a refusal that is only the importer's safety net around a raw runtime exception (an index out
    /// of range, a null, an overflow, a division by zero: a check is missing, and the message says little); an
    /// import that holds a non-finite weight (silently damaged numbers).
    /// </summary>
    internal static void Import(byte[] bytes)
    {
        global::DeepSharp.Models.Model model;
        try { model = OnnxModel.Load(new MemoryStream(bytes), Name); }
        catch (ModelFileException e) when (!e.Message.Contains(Name))
        {
            throw new InvalidOperationException($"the error does not name the file: {e.Message}", e);
        }
        catch (ModelFileException e) when (IsRaw(e.InnerException))
        {
            throw new InvalidOperationException($"a raw {e.InnerException!.GetType().Name} reached the safety net: {e.Message}", e);
        }
        foreach (var p in model.Parameters)
            foreach (float v in p.Value.Span)
                if (!float.IsFinite(v)) throw new InvalidOperationException($"imported with {v} in weight '{p.Name}'");
    }

    /// <summary>Runtime exceptions that mean a missing check (protobuf's own overflow/invalid-operation errors are parse errors).</summary>
    private static bool IsRaw(Exception? inner) =>
        inner is IndexOutOfRangeException or NullReferenceException or KeyNotFoundException or DivideByZeroException
            or InvalidCastException or FormatException or NotSupportedException
        || inner is OverflowException or InvalidOperationException && inner.StackTrace?.Contains("Google.Protobuf") != true;

    [Fact]
    public void Onnx_Bytes_3000Mutants()
    {
        int ok = FuzzHarness.Run("onnx", SeedBytes(), seed: 80, count: 3000, Bound, Import, typeof(ModelFileException));
        Assert.InRange(ok, 1, 2999);   // some mutants import (e.g. a changed weight), most are refused
    }

    private static readonly ulong[] Lengths = [0, 1, 0x7F, 0x80, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 1UL << 62, long.MaxValue, ulong.MaxValue];

    [Fact]
    public void Onnx_LengthFields_1500Mutants()
    {
        var trees = SeedBytes().Select(b => ProtobufWire.Parse(b) ?? throw new InvalidDataException("a fixture is not protobuf")).ToList();
        Assert.Equal(SeedBytes()[0], ProtobufWire.Write(trees[0]));   // the tree writes the file back byte for byte
        var random = new Random(81);
        IEnumerable<(string, byte[])> Mutants()
        {
            for (int i = 0; i < 1500; i++)
            {
                var tree = trees[random.Next(trees.Count)];
                var fields = ProtobufWire.LengthFields(tree);
                var target = fields[random.Next(fields.Count)];
                ulong len = (ulong)target.Value.Length;
                ulong declared = random.Next(3) switch
                {
                    0 => len + 1 + (ulong)random.Next(16),
                    1 => len == 0 ? 0 : len - 1 - (ulong)random.Next((int)Math.Min(len, 16)),
                    _ => Lengths[random.Next(Lengths.Length)],
                };
                bool fix = random.Next(2) == 0;
                yield return ($"seed81-{i}-len{len}to{declared}{(fix ? "-fixed" : "")}", ProtobufWire.Write(tree, target, declared, fix));
            }
        }
        FuzzHarness.Check("onnx-length", Mutants(), Bound, Import, typeof(ModelFileException));
    }

    [Fact]
    public void Onnx_Structure_3000Mutants()
    {
        var models = SeedBytes().Select(b => ModelProto.Parser.ParseFrom(b)).ToList();
        var mutator = new OnnxMutator(82, models);
        IEnumerable<(string, byte[])> Mutants()
        {
            for (int i = 0; i < 3000; i++)
            {
                var bytes = mutator.Next();
                yield return ($"seed82-{i}-{mutator.LastKind}", bytes);
            }
        }
        int ok = FuzzHarness.Check("onnx-structure", Mutants(), Bound, Import, typeof(ModelFileException));
        Assert.InRange(ok, 1, 2999);
    }
}
