using DeepSharp.Onnx.Proto;
using DeepSharp.Saving;
using Google.Protobuf;

namespace DeepSharp.Onnx;

/// <summary>A constant tensor of an ONNX file (an initializer, a Constant node or a folded input) as float32.</summary>
internal sealed record OnnxConstant(string Name, long[] Dims, float[] Values)
{
    public int Count => Values.Length;

    /// <summary>The values as integers (shapes, pads, axes are stored as int64 and read exactly up to 2^24).</summary>
    public long[] AsLongs() => Values.Select(v => (long)v).ToArray();
}

/// <summary>
/// Reads an ONNX protobuf file and its tensors. Every problem is a <see cref="ModelFileException"/> naming the file:
/// not a protobuf, truncated, external data, sizes that do not match the data (checked before anything is allocated).
/// </summary>
internal static class OnnxFile
{
    /// <summary>The largest tensor accepted (2^31 - 1 floats cannot be held in one .NET array anyway).</summary>
    private const long MaxElements = int.MaxValue / 2;

    public static ModelProto Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX file '{path}' does not exist.", path);
        if (Limits.RegularFile.NotRegular(path) is { } what)
            throw new ModelFileException(path, $"it is {what}, not a regular file, so it is not opened (reading it could block forever).");
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static ModelProto Read(Stream stream, string fileName)
    {
        if (stream.CanSeek && stream.Length - stream.Position > int.MaxValue)
            throw new ModelFileException(fileName, $"the file holds {stream.Length - stream.Position:N0} bytes; a protobuf message, hence an ONNX model with its weights inside, is at most 2 GiB. Larger models keep their weights in external data files, which DeepSharp does not read.");
        ModelProto model;
        try
        {
            // The bytes are looked at before protobuf builds its objects (OnnxWireScan: nested subgraphs, millions of nodes).
            byte[] bytes;
            if (stream.CanSeek)
            {
                bytes = new byte[stream.Length - stream.Position];
                stream.ReadExactly(bytes);
            }
            else
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            OnnxWireScan.Check(bytes, fileName);
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (ModelFileException) { throw; }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFileException(fileName, $"this is not a readable ONNX model ({e.Message}). The file may be truncated or of another kind; export it again.", e);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new ModelFileException(fileName, $"this is not a readable ONNX model ({e.Message}).", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0 && model.Graph.Output.Count == 0)
            throw new ModelFileException(fileName, "the file parses as protobuf but holds no ONNX graph (no nodes, no outputs): it is not an ONNX model.");
        return model;
    }

    /// <summary>The opset of the default ("" or "ai.onnx") domain; 1 when the file does not say.</summary>
    public static long Opset(ModelProto model) =>
        model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();

    /// <summary>Converts a TensorProto to float32, validating the declared size against the data first.</summary>
    public static OnnxConstant ToConstant(TensorProto t, string fileName)
    {
        string what = $"tensor '{t.Name}'";
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new ModelFileException(fileName, $"{what} keeps its data in an external file, which DeepSharp does not read. Save the model with its weights inside the .onnx file (onnx.save(model, path, save_as_external_data=False)).");
        long count = 1;
        foreach (long d in t.Dims)
        {
            if (d < 0) throw new ModelFileException(fileName, $"{what} has a negative dimension in its shape ({string.Join(", ", t.Dims)}).");
            count = d == 0 ? 0 : count > MaxElements / d ? MaxElements + 1 : count * d;
        }
        if (count > MaxElements) throw new ModelFileException(fileName, $"{what} declares shape ({string.Join(", ", t.Dims)}), too large to hold.");
        var type = (TensorProto.Types.DataType)t.DataType;
        int elementSize = type switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 => 4,
            TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Double => 8,
            TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 => 1,
            _ => throw new ModelFileException(fileName, $"{what} has element type {type}; DeepSharp imports float32 weights (and int64/int32/double/bool constants)."),
        };
        long stored = t.RawData.Length > 0 ? t.RawData.Length / elementSize : type switch
        {
            TensorProto.Types.DataType.Float => t.FloatData.Count,
            TensorProto.Types.DataType.Int64 => t.Int64Data.Count,
            TensorProto.Types.DataType.Double => t.DoubleData.Count,
            _ => t.Int32Data.Count,   // int32, bool, uint8, int8 are stored in int32_data
        };
        if (t.RawData.Length > 0 && t.RawData.Length != count * elementSize || t.RawData.Length == 0 && stored != count)
            throw new ModelFileException(fileName, $"{what} declares shape ({string.Join(", ", t.Dims)}) = {count} values but holds " +
                $"{(t.RawData.Length > 0 ? $"{t.RawData.Length} bytes of raw data ({elementSize} per value)" : $"{stored} values")}: the file is damaged or truncated.");

        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian; this machine is not.");
        var values = new float[count];
        var raw = t.RawData.Span;
        if (type == TensorProto.Types.DataType.Float)
        {
            if (raw.Length > 0) System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).CopyTo(values);
            else t.FloatData.CopyTo(values, 0);
            return new OnnxConstant(t.Name, t.Dims.ToArray(), values);
        }
        for (int i = 0; i < count; i++)
            values[i] = raw.Length > 0 ? type switch
            {
                TensorProto.Types.DataType.Float => BitConverter.ToSingle(raw.Slice(i * 4, 4)),
                TensorProto.Types.DataType.Int32 => BitConverter.ToInt32(raw.Slice(i * 4, 4)),
                TensorProto.Types.DataType.Int64 => BitConverter.ToInt64(raw.Slice(i * 8, 8)),
                TensorProto.Types.DataType.Double => (float)BitConverter.ToDouble(raw.Slice(i * 8, 8)),
                TensorProto.Types.DataType.Int8 => (sbyte)raw[i],
                _ => raw[i],
            } : type switch
            {
                TensorProto.Types.DataType.Float => t.FloatData[i],
                TensorProto.Types.DataType.Int64 => t.Int64Data[i],
                TensorProto.Types.DataType.Double => (float)t.DoubleData[i],
                _ => t.Int32Data[i],
            };
        return new OnnxConstant(t.Name, t.Dims.ToArray(), values);
    }

    /// <summary>Reads a serialized TensorProto file (the node tests' input_0.pb, output_0.pb).</summary>
    public static OnnxConstant ReadTensor(string path)
    {
        TensorProto t;
        try
        {
            using var s = File.OpenRead(path);
            t = TensorProto.Parser.ParseFrom(s);
        }
        catch (InvalidProtocolBufferException e) { throw new ModelFileException(path, $"not a serialized ONNX tensor ({e.Message}).", e); }
        return ToConstant(t, path);
    }

    // ---- node attributes ----

    public static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long Int(NodeProto node, string name, long fallback) => Attribute(node, name) is { } a ? a.I : fallback;

    public static float Float(NodeProto node, string name, float fallback) => Attribute(node, name) is { } a ? a.F : fallback;

    public static string String(NodeProto node, string name, string fallback) => Attribute(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    public static long[]? Ints(NodeProto node, string name) => Attribute(node, name) is { } a ? a.Ints.ToArray() : null;
}
