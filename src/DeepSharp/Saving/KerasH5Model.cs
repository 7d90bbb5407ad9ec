using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSharp.Limits;
using DeepSharp.Models;
using Microsoft.Extensions.Logging;
using PureHDF;
using PureHDF.VOL.Native;

namespace DeepSharp.Saving;

/// <summary>
/// Reads a whole model saved by Keras 2 (<c>model.save("m.h5")</c>, TensorFlow's <c>tf.keras</c> before Keras 3): the root
/// attribute <c>model_config</c> (the architecture as JSON, read by <see cref="ModelJson"/>, Keras 2.0–2.2's bare layer list
/// included), the group <c>model_weights</c> (read by <see cref="KerasLegacyH5"/>) and, when present, <c>training_config</c>
/// (optimizer, loss, metrics) to compile the model. The optimizer's state (<c>optimizer_weights</c>) is not restored:
/// training continues from fresh moments. Errors name the file; a weights-only file is told apart.
/// </summary>
internal static class KerasH5Model
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>True when the bytes start with the HDF5 signature.</summary>
    public static bool IsHdf5(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Signature);

    public static Model Load(byte[] bytes, string path)
    {
        using var h5 = KerasArchive.OpenH5(new MemoryStream(bytes), path);
        JsonObject config;
        JsonObject? training;
        try
        {
            if (!h5.AttributeExists("model_config"))
                throw new ModelFileException(path, h5.AttributeExists("layer_names") || h5.LinkExists("model_weights") || h5.LinkExists("layers")
                    ? "this HDF5 file holds weights only (save_weights), not a model: it has no 'model_config'. Build the model in code, then call model.LoadWeights(path)."
                    : "this HDF5 file is not a Keras model: it has no 'model_config' attribute (Keras 2's model.save(\"m.h5\") writes one). For a weights file, build the model in code and call model.LoadWeights(path).");
            config = ReadJson(h5, "model_config", path) ?? throw new ModelFileException(path, "'model_config' is empty.");
            training = h5.AttributeExists("training_config") ? ReadJson(h5, "training_config", path) : null;
        }
        catch (Exception e) when (e is not (ModelFileException or OutOfMemoryException))
        {
            throw new ModelFileException(path, $"the model's attributes could not be read ({e.GetType().Name}: {e.Message}). The file may be truncated or damaged.", e);
        }
        Model model;
        using (WeightBudget.Limit(bytes.Length, slackValues: 65536, path, "model_weights"))
        {
            try { model = ModelJson.Deserialize(config); }
            catch (Exception e) when (e is not (ModelFileException or OutOfMemoryException))
            {
                throw new ModelFileException(path, $"the model in 'model_config' cannot be rebuilt: {e.Message}", e);
            }
        }
        if (!h5.LinkExists("model_weights"))
            throw new ModelFileException(path, "the file has a 'model_config' but no 'model_weights' group: Keras saved it with include_optimizer only, or it is damaged.");
        try { KerasLegacyH5.Load(h5, model, path, byName: false, skipMismatch: false); }
        catch (Exception e) when (e is not (ModelFileException or OutOfMemoryException))
        {
            throw new ModelFileException(path, $"the weights could not be read ({e.GetType().Name}: {e.Message}). The file may be truncated or damaged.", e);
        }
        if (training is not null) Compile(model, training, path);
        return model;
    }

    /// <summary>
    /// Compiles as Keras 2's training_config says ({"optimizer_config": {"class_name", "config"}, "loss", "metrics"}). A
    /// training setup DeepSharp cannot reproduce (a custom loss, several outputs) leaves the model uncompiled, with a warning
    /// on <see cref="Logging.DeepSharpLogging.Logger"/>: the model still predicts; call Compile before Fit.
    /// </summary>
    private static void Compile(Model model, JsonObject training, string path)
    {
        try
        {
            var optimizer = training["optimizer_config"]?.DeepClone() as JsonObject;
            if (optimizer?["config"] is JsonObject oc)
            {
                if (oc["lr"] is { } lr && oc["learning_rate"] is null) { oc.Remove("lr"); oc["learning_rate"] = lr; }
                oc.Remove("decay");   // Keras 2's per-step learning-rate decay: not applied (DeepSharp uses callbacks for schedules)
            }
            var metrics = new JsonArray();
            var dropped = new List<string>();
            if (training["metrics"] is JsonArray m)
                foreach (var metric in m.SelectMany(x => x is JsonArray inner ? inner.ToList() : new List<JsonNode?> { x }))
                {
                    // Metrics DeepSharp lacks (Keras 2 models often log "mae") only cost their column in the logs.
                    if (metric is JsonValue v && !Metrics.MetricNames.IsKnown(v.GetValue<string>())) dropped.Add(v.GetValue<string>());
                    else metrics.Add(metric?.DeepClone());
                }
            if (dropped.Count > 0)
                Logging.DeepSharpLogging.Logger.LogWarning("{File}: metrics {Metrics} are not computed by DeepSharp and were left out of Compile.", path, string.Join(", ", dropped));
            var compile = new JsonObject
            {
                ["optimizer"] = optimizer,
                ["loss"] = training["loss"]?.DeepClone(),
                ["metrics"] = metrics,
            };
            CompileJson.Apply(model, compile);
        }
        catch (Exception e) when (e is NotSupportedException or FormatException or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            Logging.DeepSharpLogging.Logger.LogWarning("{File}: the model was loaded without its training setup ({Reason}); call Compile before Fit.", path, e.Message);
        }
    }

    private static JsonObject? ReadJson(NativeFile h5, string name, string path)
    {
        var attribute = h5.Attribute(name);
        if (attribute.Type.Class == H5DataTypeClass.String && (long)attribute.Type.Size > LoadLimits.MaxConfigBytes)
            throw new ModelFileException(path, $"'{name}' declares {attribute.Type.Size:N0} bytes, more than LoadLimits.MaxConfigBytes ({LoadLimits.MaxConfigBytes:N0}).");
        string text = attribute.Read<string>().TrimEnd('\0');
        if (text.Length > LoadLimits.MaxConfigBytes)
            throw new ModelFileException(path, $"'{name}' holds {text.Length:N0} characters, more than LoadLimits.MaxConfigBytes ({LoadLimits.MaxConfigBytes:N0}).");
        try { return JsonNode.Parse(text) as JsonObject ?? throw new FormatException("it is not a JSON object"); }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new ModelFileException(path, $"'{name}' is not valid JSON ({e.Message}).", e);
        }
    }
}
