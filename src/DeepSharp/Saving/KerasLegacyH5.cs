using DeepSharp.Layers;
using DeepSharp.Models;
using PureHDF;

namespace DeepSharp.Saving;

/// <summary>
/// Reads the HDF5 weights layout of Keras 1/2 (<c>model.save_weights("x.h5")</c>, the <c>model_weights</c> group of a Keras 2
/// <c>.h5</c> model, and Keras' published application weights such as <c>vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5</c>).
/// </summary>
/// <remarks>
/// Layout: the root attribute <c>layer_names</c> lists the model's layers in Keras' order (<c>model.layers</c>), including those
/// without weights; each layer is a group whose attribute <c>weight_names</c> lists its weights in Keras' order. The datasets
/// sit directly in the layer group in old files (<c>block1_conv1_W_1:0</c>) and nested in newer ones
/// (<c>conv2d/conv2d/kernel:0</c>): <c>weight_names</c> holds the path either way, and weights are assigned by its order, never by
/// the datasets' names. As in Keras (<c>load_weights_from_hdf5_group</c>), layers with weights are matched by position
/// (or by name with <c>byName</c>). A nested model's entry lists all of its weights; Keras 2 writes them trainable first, then
/// non-trainable, so when its weight names name our layers and weights ("block1_conv1/kernel:0") they place each array,
/// otherwise that order is assumed. Every shape is checked before any weight is changed.
/// </remarks>
internal static class KerasLegacyH5
{
    /// <summary>True when <paramref name="root"/> is in Keras 1/2's layout (a <c>layer_names</c> attribute, or a <c>model_weights</c> group).</summary>
    public static bool Applies(IH5Group root) =>
        root.AttributeExists("layer_names") || root.AttributeExists("layer_names0") || root.LinkExists("model_weights");

    /// <summary>Copies the file's weights into <paramref name="model"/>; returns the messages about skipped layers (skipMismatch).</summary>
    public static IReadOnlyList<string> Load(IH5Group root, Model model, string file, bool byName, bool skipMismatch)
    {
        var g = !root.AttributeExists("layer_names") && root.LinkExists("model_weights") ? root.Group("model_weights") : root;
        var fileLayers = new List<(string Name, IH5Group Group, string[] WeightNames)>();
        foreach (var name in ReadStrings(g, "layer_names", file, "the root"))
        {
            if (!g.LinkExists(name))
                throw new ModelFileException(file, $"layer_names lists '{name}' but the file has no group of that name; the file is damaged or not a Keras weights file.");
            var lg = g.Group(name);
            var wn = ReadStrings(lg, "weight_names", file, $"layer '{name}'");
            if (wn.Length > 0) fileLayers.Add((name, lg, wn));
        }
        var skipped = new List<string>();
        var plan = new List<(Parameter Target, IH5Dataset Source)>();
        if (byName)
        {
            var byLayerName = model.Layers.Where(l => l.KerasWeights.Count > 0).ToDictionary(l => l.Name);
            foreach (var (name, group, wn) in fileLayers)
            {
                if (!byLayerName.TryGetValue(name, out var layer)) continue;   // Keras: layers not in the model are ignored
                string? problem = Match(layer, name, group, wn, file, plan);
                if (problem is null) continue;
                if (!skipMismatch) throw new ModelFileException(file, problem + " Pass skipMismatch: true to skip such layers.");
                skipped.Add($"Skipping loading weights for layer '{layer.Name}': {problem}");
            }
        }
        else
        {
            var layers = model.Layers.Where(l => l.KerasWeights.Count > 0).ToList();
            if (layers.Count != fileLayers.Count)
                throw new ModelFileException(file, $"the file holds weights for {fileLayers.Count} layers ({string.Join(", ", fileLayers.Select(f => f.Name))}) " +
                    $"but model '{model.Name}' has {layers.Count} layers with weights ({string.Join(", ", layers.Select(l => l.Name))}). " +
                    "The file was saved from a different architecture; with byName: true, layers are matched by name instead of position.");
            for (int k = 0; k < layers.Count; k++)
            {
                var (name, group, wn) = fileLayers[k];
                string? problem = Match(layers[k], name, group, wn, file, plan);
                if (problem is not null) throw new ModelFileException(file, problem);
            }
        }
        // Every shape is valid: now read and copy.
        foreach (var (target, source) in plan)
            WeightsH5.ReadValues(source, target.Value, $"weight '{target.Path}' ('{source.Name}')", file);
        return skipped;
    }

    /// <summary>Adds the layer's (target, dataset) pairs to the plan; returns a description of the mismatch, or null.</summary>
    private static string? Match(Layer layer, string fileName, IH5Group group, string[] weightNames, string file,
        List<(Parameter, IH5Dataset)> plan)
    {
        var targets = Order(layer, weightNames);
        string where = $"layer '{layer.Name}' ({layer.ClassName})" + (fileName == layer.Name ? "" : $", read from the file's layer '{fileName}',");
        if (targets.Count != weightNames.Length)
            return $"{where} expects {targets.Count} weights ({string.Join(", ", targets.Select(p => p.Name))}) but the file has {weightNames.Length} " +
                $"({string.Join(", ", weightNames)}).";
        var pairs = new List<(Parameter, IH5Dataset)>();
        for (int i = 0; i < targets.Count; i++)
        {
            if (!group.LinkExists(weightNames[i]))
                throw new ModelFileException(file, $"layer '{fileName}' lists weight '{weightNames[i]}' but has no such dataset; the file is damaged.");
            var ds = group.Dataset(weightNames[i]);
            var dims = ds.Space.Dimensions.Select(d => (int)d).ToArray();
            if (!dims.SequenceEqual(targets[i].Value.ShapeArray))
                return $"{where} weight '{targets[i].Name}' has shape {Tensor.FormatShape(targets[i].Value.Shape)} in the model but the file's " +
                    $"'{weightNames[i]}' has shape {Tensor.FormatShape(dims)}.";
            pairs.Add((targets[i], ds));
        }
        plan.AddRange(pairs);
        return null;
    }

    /// <summary>The layer's weights in the order the file lists them (see remarks).</summary>
    private static IReadOnlyList<Parameter> Order(Layer layer, string[] weightNames)
    {
        var all = layer.KerasWeights;
        if (layer is not Model) return all;
        var byPath = new Dictionary<string, Parameter>();
        foreach (var p in all) byPath.TryAdd(p.Path, p);
        var named = new List<Parameter>();
        foreach (var w in weightNames)
        {
            string path = w.Contains(':') ? w[..w.LastIndexOf(':')] : w;
            if (!byPath.Remove(path, out var p)) { named.Clear(); break; }
            named.Add(p);
        }
        if (named.Count == all.Count) return named;
        // Keras 2's _legacy_weights: trainable weights first, then the others.
        return all.Where(p => p.Trainable).Concat(all.Where(p => !p.Trainable)).ToList();
    }

    /// <summary>A list-of-strings attribute as Keras writes it (split in chunks name0, name1... when large; empty lists are stored as float arrays).</summary>
    private static string[] ReadStrings(IH5Object obj, string name, string file, string where)
    {
        if (obj.AttributeExists(name)) return ReadStringAttribute(obj.Attribute(name), name, file, where);
        var parts = new List<string>();
        for (int i = 0; obj.AttributeExists($"{name}{i}"); i++) parts.AddRange(ReadStringAttribute(obj.Attribute($"{name}{i}"), name, file, where));
        if (parts.Count == 0 && !obj.AttributeExists($"{name}0"))
            throw new ModelFileException(file, $"{where} has no '{name}' attribute; it is not in Keras' HDF5 weights layout.");
        return parts.ToArray();
    }

    private static string[] ReadStringAttribute(IH5Attribute attribute, string name, string file, string where)
    {
        ulong count = attribute.Space.Dimensions.Aggregate(1UL, (a, b) => a * b);
        if (attribute.Space.Dimensions.Length > 0 && count == 0) return [];
        if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
            throw new ModelFileException(file, $"{where}: attribute '{name}' holds {attribute.Type.Class} values, not layer or weight names.");
        var values = attribute.Space.Dimensions.Length == 0 ? [attribute.Read<string>()] : attribute.Read<string[]>();
        return values.Select(v => v.TrimEnd('\0')).ToArray();   // fixed-length strings may keep their NUL padding
    }
}
