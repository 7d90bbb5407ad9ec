using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Saving;

/// <summary>
/// Writes and reads a model's architecture as Keras 3's serialized config (the <c>config.json</c> of a <c>.keras</c> file).
/// </summary>
/// <remarks>
/// Layout, as Keras 3 writes it:
/// <code>
/// {"module": "keras", "class_name": "Sequential",            // or "keras.src.models.functional" / "Functional"
///  "config": {"name": "sequential", "trainable": true, "dtype": {...},
///             "layers": [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 28, 28, 1], ...}},
///                        {"module": "keras.layers", "class_name": "Conv2D", "config": {"name": "conv2d", "filters": 32, ...},
///                         "registered_name": null, "build_config": {"input_shape": [null, 28, 28, 1]}}, ...]},
///  "registered_name": null, "build_config": {"input_shape": [null, 28, 28, 1]}, "compile_config": {...}}
/// </code>
/// A functional model's layers also carry <c>"name"</c> and <c>"inbound_nodes"</c>
/// (<c>[{"args": [{"class_name": "__keras_tensor__", "config": {"shape": ..., "dtype": "float32", "keras_history": ["conv2d", 0, 0]}}], "kwargs": {}}]</c>;
/// an Add's args hold one list of such tensors), plus <c>"input_layers"</c> and <c>"output_layers"</c>.
/// Simplifications: one input and one output per model, each layer called once (no shared layers), as DeepSharp's graphs are.
/// Keras-only keys DeepSharp does not use (activity regularizers, constraints) are written with Keras' defaults and ignored on load
/// (Dense and Conv2D read their kernel and bias regularizers),
/// except that non-default values it cannot honour (channels_first, dilation, groups) are errors.
/// Reading also accepts Keras 2 style inbound_nodes (<c>[[["conv2d", 0, 0, {}]]]</c>) and <c>batch_input_shape</c>.
/// </remarks>
internal static class ModelJson
{
    // ---- writing ----

    /// <summary>The serialized model: module, class_name, config, build_config and (top level only) compile_config.</summary>
    public static JsonObject Serialize(Model model, bool withCompile)
    {
        var shape = model.InputShape
            ?? throw new InvalidOperationException($"Model '{model.Name}' cannot be saved before it is built: give the first layer an inputShape, or call Fit/Predict once.");
        model.RequireSingleOutput("be saved");
        bool sequential = model is Sequential;
        var layers = new JsonArray();
        string inputName = UniqueInputName(model);
        var nodes = model.Nodes;
        var nodeNames = nodes.Select(n => n.Layer?.Name ?? inputName).ToArray();
        var input = new JsonObject
        {
            ["module"] = "keras.layers",
            ["class_name"] = "InputLayer",
            ["config"] = new JsonObject { ["batch_shape"] = BatchShape(shape), ["dtype"] = "float32", ["sparse"] = false, ["name"] = inputName },
            ["registered_name"] = null,
        };
        if (!sequential) { input["name"] = inputName; input["inbound_nodes"] = new JsonArray(); }
        layers.Add(input);
        for (int i = 1; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var inShapes = node.Inputs.Select(j => nodes[j].Shape).ToArray();
            var entry = SerializeLayer(node.Layer!, inShapes);
            if (!sequential)
            {
                entry["name"] = node.Layer!.Name;
                var tensors = node.Inputs.Select(j => (JsonNode)KerasTensor(nodeNames[j], nodes[j].Shape)).ToArray();
                JsonNode arg = tensors.Length == 1 ? tensors[0] : new JsonArray(tensors);
                // A call with its mode fixed (base(x, training: false)) keeps it, as Keras writes it: kwargs.training.
                var kwargs = new JsonObject();
                if (node.Training is bool training) kwargs["training"] = training;
                entry["inbound_nodes"] = new JsonArray(new JsonObject { ["args"] = new JsonArray(arg), ["kwargs"] = kwargs });
            }
            layers.Add(entry);
        }
        var config = new JsonObject { ["name"] = model.Name, ["trainable"] = model.Trainable, ["dtype"] = DTypePolicy(), ["layers"] = layers };
        if (sequential) config["build_input_shape"] = BatchShape(shape);
        else
        {
            config["input_layers"] = new JsonArray(History(inputName));
            config["output_layers"] = new JsonArray(History(nodeNames[^1]));
        }
        var result = new JsonObject
        {
            ["module"] = sequential ? "keras" : "keras.src.models.functional",
            ["class_name"] = sequential ? "Sequential" : "Functional",
            ["config"] = config,
            ["registered_name"] = sequential ? null : "Functional",
            ["build_config"] = new JsonObject { ["input_shape"] = BatchShape(shape) },
        };
        if (withCompile) result["compile_config"] = CompileJson.Serialize(model);
        return result;
    }

    private static JsonObject SerializeLayer(Layer layer, int[][] inputShapes)
    {
        if (layer is Model nested) return Serialize(nested, withCompile: false);
        var config = new JsonObject();
        foreach (var (key, value) in layer.GetConfig()) config[key] = JsonSerializer.SerializeToNode(value);
        config["dtype"] ??= DTypePolicy();
        return new JsonObject
        {
            ["module"] = "keras.layers",
            ["class_name"] = layer.ClassName,
            ["config"] = config,
            ["registered_name"] = null,
            ["build_config"] = new JsonObject
            {
                ["input_shape"] = inputShapes.Length == 1 ? BatchShape(inputShapes[0]) : new JsonArray(inputShapes.Select(s => (JsonNode)BatchShape(s)).ToArray()),
            },
        };
    }

    private static JsonObject DTypePolicy() => new()
    {
        ["module"] = "keras",
        ["class_name"] = "DTypePolicy",
        ["config"] = new JsonObject { ["name"] = "float32" },
        ["registered_name"] = null,
    };

    private static JsonArray BatchShape(int[] shape)
    {
        var a = new JsonArray { null };
        foreach (int d in shape) a.Add(d);
        return a;
    }

    private static JsonArray History(string layer) => new(layer, 0, 0);

    private static JsonObject KerasTensor(string layer, int[] shape) => new()
    {
        ["class_name"] = "__keras_tensor__",
        ["config"] = new JsonObject { ["shape"] = BatchShape(shape), ["dtype"] = "float32", ["keras_history"] = History(layer) },
    };

    private static string UniqueInputName(Model model)
    {
        var names = model.Layers.Select(l => l.Name).ToHashSet();
        string name = model.InputName;
        for (int i = 1; names.Contains(name); i++) name = $"{model.InputName}_{i}";
        return name;
    }

    // ---- reading ----

    /// <summary>Rebuilds a model (not compiled) from its serialized config.</summary>
    public static Model Deserialize(JsonObject root)
    {
        var model = BuildModel(root);
        ApplyTrainable(model, root);
        return model;
    }

    private static Model BuildModel(JsonObject obj)
    {
        string className = Str(obj, "class_name", "the model");
        var config = ConfigOf(obj) ?? throw new FormatException($"The {className} entry has no \"config\" object.");
        string? name = config["name"]?.GetValue<string>();
        var layers = config["layers"] as JsonArray ?? throw new FormatException($"{className} '{name}' has no \"layers\" list in its config.");
        return className switch
        {
            "Sequential" => BuildSequential(obj, config, name, layers),
            "Functional" or "Model" => BuildFunctional(config, name, layers),
            _ => throw new NotSupportedException($"Unknown model class '{className}'. Supported: Sequential, Functional."),
        };
    }

    private static Sequential BuildSequential(JsonObject obj, JsonObject config, string? name, JsonArray layers)
    {
        var model = new Sequential(name);
        int[]? shape = null;
        foreach (var entry in layers.Select(AsObject))
        {
            if (Str(entry, "class_name", "a layer") == "InputLayer") { shape = InputShapeOf(entry); continue; }
            model.Add(BuildLayer(entry));
        }
        shape ??= ShapeFrom(config["build_input_shape"]) ?? ShapeFrom((obj["build_config"] as JsonObject)?["input_shape"])
            ?? ShapeFrom((layers.FirstOrDefault() as JsonObject)?["config"]?["batch_input_shape"]);   // Keras 2: the first layer's
        if (shape is null)
            throw new FormatException($"Sequential '{name}' has no input shape (no InputLayer and no build_config); it cannot be rebuilt.");
        model.ComputeOutputShape([shape]);
        return model;
    }

    private static Model BuildFunctional(JsonObject config, string? name, JsonArray layers)
    {
        var tensors = new Dictionary<string, SymbolicTensor>();
        Input? input = null;
        foreach (var entry in layers.Select(AsObject))
        {
            string className = Str(entry, "class_name", "a layer");
            string layerName = entry["name"]?.GetValue<string>() ?? (entry["config"] as JsonObject)?["name"]?.GetValue<string>()
                ?? throw new FormatException($"A {className} layer of model '{name}' has no name.");
            if (className == "InputLayer")
            {
                if (input is not null)
                    throw new NotSupportedException($"Model '{name}' has several inputs ('{input.Name}', '{layerName}'); DeepSharp models take one input.");
                input = new Input(InputShapeOf(entry)) { Name = layerName };
                tensors[layerName] = input;
                continue;
            }
            var layer = BuildLayer(entry);
            var nodes = entry["inbound_nodes"] as JsonArray ?? [];
            if (nodes.Count != 1)
                throw new NotSupportedException($"Layer '{layerName}' of model '{name}' is called {nodes.Count} times; DeepSharp supports layers called exactly once (no shared layers).");
            var refs = new List<string>();
            CollectRefs(nodes[0] is JsonObject o ? o["args"] : nodes[0], refs);
            if (refs.Count == 0) throw new FormatException($"Layer '{layerName}' of model '{name}' has no inputs in its inbound_nodes.");
            var inputs = refs.Select(r => tensors.TryGetValue(r, out var t) ? t
                : throw new FormatException($"Layer '{layerName}' of model '{name}' reads the output of '{r}', which is not defined before it.")).ToArray();
            bool? fixedMode = TrainingKwarg(nodes[0]);
            tensors[layerName] = fixedMode is bool mode && inputs.Length == 1 ? layer.Call(inputs[0], mode) : layer.Call(inputs);
        }
        if (input is null) throw new FormatException($"Model '{name}' has no InputLayer.");
        var outputs = new List<string>();
        CollectRefs(config["output_layers"], outputs);
        if (outputs.Count != 1)
            throw new NotSupportedException($"Model '{name}' has {outputs.Count} outputs ({string.Join(", ", outputs)}); DeepSharp models have one output.");
        if (!tensors.TryGetValue(outputs[0], out var output))
            throw new FormatException($"Model '{name}': output layer '{outputs[0]}' is not one of its layers.");
        return new Model(input, output, name);
    }

    private static Layer BuildLayer(JsonObject entry)
    {
        string className = Str(entry, "class_name", "a layer");
        if (className is "Sequential" or "Functional" or "Model") return BuildModel(entry);
        var config = entry["config"] as JsonObject ?? throw new FormatException($"Layer entry of class '{className}' has no \"config\" object.");
        return LayerRegistry.Create(className, config);
    }

    /// <summary>Sets trainable flags top-down, so a frozen model's layers and a layer re-enabled inside it both come back.</summary>
    private static void ApplyTrainable(Model model, JsonObject obj)
    {
        var config = ConfigOf(obj)!;
        if (config["trainable"] is JsonValue t) model.Trainable = t.GetValue<bool>();
        var entries = ((JsonArray)config["layers"]!).Select(AsObject).Where(e => e["class_name"]!.GetValue<string>() != "InputLayer").ToList();
        var layers = model.Layers;
        for (int i = 0; i < layers.Count && i < entries.Count; i++)
        {
            if (layers[i] is Model nested) ApplyTrainable(nested, entries[i]);
            else if (entries[i]["config"]?["trainable"] is JsonValue lt) layers[i].Trainable = lt.GetValue<bool>();
        }
    }

    /// <summary>
    /// The <c>training</c> argument of a call, if it was fixed: Keras 3 writes <c>{"args": [...], "kwargs": {"training": false}}</c>,
    /// Keras 2 <c>[["base", 0, 0, {"training": false}]]</c>.
    /// </summary>
    private static bool? TrainingKwarg(JsonNode? node)
    {
        JsonNode? value = node switch
        {
            JsonObject o => o["kwargs"]?["training"],
            JsonArray { Count: 1 } a when a[0] is JsonArray inner && inner.Count >= 4 => inner[3]?["training"],
            _ => null,
        };
        return value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;
    }

    /// <summary>Layer names referenced by Keras 3 tensors ({"keras_history": [name, 0, 0]}) or Keras 2 lists ([name, 0, 0, {}]).</summary>
    private static void CollectRefs(JsonNode? node, List<string> refs)
    {
        switch (node)
        {
            case JsonObject o when o["class_name"]?.GetValue<string>() == "__keras_tensor__":
                CollectRefs(o["config"]?["keras_history"], refs);
                break;
            case JsonObject o:
                foreach (var (_, v) in o) CollectRefs(v, refs);
                break;
            case JsonArray a when a.Count >= 3 && a[0] is JsonValue v0 && v0.GetValueKind() == JsonValueKind.String:
                refs.Add(v0.GetValue<string>());
                break;
            case JsonArray a:
                foreach (var v in a) CollectRefs(v, refs);
                break;
        }
    }

    private static int[] InputShapeOf(JsonObject inputLayer)
    {
        var c = inputLayer["config"] as JsonObject;
        return ShapeFrom(c?["batch_shape"] ?? c?["batch_input_shape"])
            ?? throw new FormatException($"InputLayer '{c?["name"]}' has no batch_shape.");
    }

    private static int[]? ShapeFrom(JsonNode? batchShape)
    {
        if (batchShape is not JsonArray a || a.Count < 2) return null;
        if (a.Skip(1).Any(d => d is null))
            throw new NotSupportedException($"Input shape {a.ToJsonString()} has an unknown (null) dimension; DeepSharp models need fixed input sizes.");
        return a.Skip(1).Select(d => d!.GetValue<int>()).ToArray();
    }

    /// <summary>
    /// A model's config object. Keras 2.0–2.2 wrote a Sequential's config as the bare list of its layers; it is read as
    /// <c>{"layers": [...]}</c> (the result is cached in the entry, so later reads see the same object).
    /// </summary>
    private static JsonObject? ConfigOf(JsonObject obj)
    {
        if (obj["config"] is JsonArray list)
        {
            obj["config"] = null;
            obj["config"] = new JsonObject { ["layers"] = list };
        }
        return obj["config"] as JsonObject;
    }

    private static JsonObject AsObject(JsonNode? n) => n as JsonObject ?? throw new FormatException($"Expected a layer object but found {n?.ToJsonString() ?? "null"}.");

    private static string Str(JsonObject o, string key, string what) =>
        o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
        : throw new FormatException($"The config of {what} has no \"{key}\" string.");
}
