using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using PureHDF;

namespace DeepSharp.Saving;

/// <summary>
/// Writes and reads the weights file of Keras 3 (<c>model.weights.h5</c> inside a <c>.keras</c> zip, or a <c>.weights.h5</c> file).
/// </summary>
/// <remarks>
/// Layout (Keras 3's saving_lib H5IOStore): every saveable object gets a group with a <c>vars</c> subgroup holding its
/// variables as datasets named "0", "1", ... in creation order. Layers live under <c>layers/</c>, named by the snake_case of
/// their class with a counter per model (<c>layers/conv2d</c>, <c>layers/conv2d_1</c>, <c>layers/max_pooling2d</c>) — not by
/// their own names, so two builds of the same architecture match. A functional model's list starts with its
/// <c>input_layer</c>; a nested model has its own <c>layers/</c> inside its group.
/// <code>
/// /vars                                   (the model's own: empty)
/// /layers/conv2d/vars/0                   kernel (3, 3, 1, 32) float32
/// /layers/conv2d/vars/1                   bias (32)
/// /layers/batch_normalization/vars/0..3   gamma, beta, moving_mean, moving_variance
/// /layers/max_pooling2d/vars              (empty)
/// /optimizer/vars/0                       iterations (int64 scalar)
/// /optimizer/vars/1                       learning_rate (float32 scalar; absent when a schedule drives the rate)
/// /optimizer/vars/2..                     state arrays in Keras 3's creation order: the EMA averages (use_ema), then each
///                                         add_optimizer_variables group interleaved per trainable weight (Adam: momentum 0,
///                                         velocity 0, momentum 1, ...; then velocity_hat with amsgrad; RMSprop: all velocities,
///                                         then all momentums), then scalars (Nadam's u_product)
/// </code>
/// Layers are numbered in <c>model.Layers</c> order, which is Keras' own order (for a functional model: by decreasing depth,
/// see <c>KerasLayerOrder</c>), so files written by Keras for graphs with branches load into the right layers.
/// Simplifications: the state of compiled metrics and of the loss tracker (Keras writes them too) is not stored; Dropout's
/// random generator state is not stored. A BatchNormalization with <c>scale: false</c> / <c>center: false</c> writes no gamma / beta,
/// as in Keras.
/// </remarks>
internal static class WeightsH5
{
    public static H5File Build(Model model)
    {
        var file = new H5File { ["vars"] = new H5Group(), ["layers"] = LayersGroup(model) };
        if (model.Optimizer is { } opt) file["optimizer"] = new H5Group { ["vars"] = OptimizerVars(model, opt) };
        return file;
    }

    private static H5Group LayersGroup(Model model)
    {
        var group = new H5Group();
        foreach (var (key, layer) in Entries(model))
        {
            var vars = new H5Group();
            if (layer is not null)
            {
                var ps = SavedParameters(layer);
                for (int i = 0; i < ps.Count; i++) vars[i.ToString()] = Dataset(ps[i].Value.Span.ToArray(), ps[i].Value.ShapeArray);
            }
            var g = new H5Group { ["vars"] = vars };
            if (layer is Model nested) g["layers"] = LayersGroup(nested);
            group[key] = g;
        }
        return group;
    }

    private static H5Group OptimizerVars(Model model, Optimizer opt)
    {
        // Keras 3's optimizer.variables: iterations, learning_rate (not when a schedule drives it), then the state.
        var vars = new H5Group { ["0"] = opt.Iterations };
        int index = 1;
        if (opt.Schedule is null) vars[(index++).ToString()] = (float)opt.LearningRate;
        var trainable = model.Parameters.Where(p => p.Trainable).ToList();
        foreach (var (_, p, values) in opt.StateArrays(trainable))
            vars[(index++).ToString()] = Dataset((float[])values.Clone(), p.Value.ShapeArray);
        foreach (var (_, get, _) in opt.StateScalars) vars[(index++).ToString()] = (float)get();
        return vars;
    }

    private static H5Dataset Dataset(float[] data, int[] shape) =>
        new(data, fileDims: shape.Select(d => (ulong)d).ToArray());

    // ---- reading ----

    /// <summary>Copies the file's weights into the model's layers, and its optimizer state when <paramref name="withOptimizer"/>.</summary>
    public static void Load(IH5Group root, Model model, string file, bool withOptimizer)
    {
        if (!root.LinkExists("layers"))
            throw new ModelFileException(file, "the weights file has neither a 'layers' group (Keras 3's .weights.h5 layout) nor a 'layer_names' attribute " +
                "(Keras 2's save_weights layout); it is not a Keras weights file.");
        LoadLayers(root.Group("layers"), model, "layers", file);
        if (withOptimizer && model.Optimizer is { } opt && root.LinkExists("optimizer"))
            LoadOptimizer(root.Group("optimizer"), model, opt, file);
    }

    private static void LoadLayers(IH5Group group, Model model, string path, string file)
    {
        // The group's members listed once: PureHDF's lookup by name walks the group, which made a model of 30,000
        // layers take minutes (quadratic) to load.
        var members = new Dictionary<string, IH5Group>(StringComparer.Ordinal);
        foreach (var child in group.Children())
            if (child is IH5Group childGroup) members.TryAdd(child.Name, childGroup);
        foreach (var (key, layer) in Entries(model))
        {
            if (layer is null) continue;
            string where = $"{path}/{key}";
            if (!members.TryGetValue(key, out var g))
                throw new ModelFileException(file, $"no weights for layer '{layer.Name}' ({layer.ClassName}) at '{where}'. The file has: {Children(group)}. " +
                    "The file was saved from a different architecture.");
            var ps = SavedParameters(layer);
            var vars = g.LinkExists("vars") ? g.Group("vars") : null;
            int count = vars is null ? 0 : vars.Children().Count();
            if (count != ps.Count)
                throw new ModelFileException(file, $"layer '{layer.Name}' ({layer.ClassName}) expects {ps.Count} weights ({string.Join(", ", ps.Select(p => p.Name))}) " +
                    $"but '{where}/vars' holds {count}. The file was saved from a different architecture.");
            for (int i = 0; i < ps.Count; i++)
                ReadInto(vars!.Dataset(i.ToString()), ps[i].Value, $"layer '{layer.Name}' weight '{ps[i].Name}' ('{where}/vars/{i}')", file);
            if (layer is Model nested) LoadLayers(g.Group("layers"), nested, $"{where}/layers", file);
        }
    }

    private static void LoadOptimizer(IH5Group group, Model model, Optimizer opt, string file)
    {
        var trainable = model.Parameters.Where(p => p.Trainable).ToList();
        var arrays = opt.StateArrays(trainable).ToList();
        var scalars = opt.StateScalars;
        int head = opt.Schedule is null ? 2 : 1;   // iterations, and learning_rate unless a schedule drives it
        int expected = head + arrays.Count + scalars.Count;
        var vars = group.LinkExists("vars") ? group.Group("vars") : null;
        int count = vars is null ? 0 : vars.Children().Count();
        bool neverBuilt = count == head;   // Keras writes only iterations (and learning_rate) before the first training step
        if (count != expected && !neverBuilt)
            throw new ModelFileException(file, $"the optimizer state holds {count} variables but {opt.GetType().Name} needs {expected} " +
                $"(iterations{(head == 2 ? ", learning_rate" : "")}, and {arrays.Count} state arrays for its {trainable.Count} trainable weights" +
                (scalars.Count > 0 ? $", and {string.Join(", ", scalars.Select(s => s.What))}" : "") + "). " +
                "The optimizer or the trainable layers differ from the saved model; load the weights before Compile to skip the optimizer state.");
        opt.Iterations = (long)ReadScalar(vars!.Dataset("0"), "optimizer iterations ('optimizer/vars/0')", file);
        if (head == 2)
        {
            // The file holds the rate as float32 (as Keras); keep the exact double from the config when it is that float.
            float savedRate = (float)ReadScalar(vars!.Dataset("1"), "optimizer learning_rate ('optimizer/vars/1')", file);
            if ((float)opt.LearningRate != savedRate) opt.LearningRate = savedRate;
        }
        if (neverBuilt) return;
        int index = head;
        if (!ShapesMatch(vars!, head, arrays))
        {
            // Keras 3.10 and DeepSharp 0.1 wrote each kind in its own run (all momentums, then all velocities).
            var grouped = opt.StateArrays(trainable, interleaved: false).ToList();
            if (ShapesMatch(vars!, head, grouped)) arrays = grouped;
        }
        foreach (var (what, p, values) in arrays)
        {
            ReadInto(vars!.Dataset(index.ToString()), new Tensor(values, p.Value.ShapeArray), $"optimizer {what} of weight '{p.Path}' ('optimizer/vars/{index}')", file);
            index++;
        }
        foreach (var (what, _, set) in scalars)
        {
            set(ReadScalar(vars!.Dataset(index.ToString()), $"optimizer {what} ('optimizer/vars/{index}')", file));
            index++;
        }
    }

    private static bool ShapesMatch(IH5Group vars, int head, List<(string What, Parameter Weight, float[] Values)> arrays)
    {
        for (int i = 0; i < arrays.Count; i++)
        {
            var dims = vars.Dataset((head + i).ToString()).Space.Dimensions;
            if (!dims.Select(d => (long)d).SequenceEqual(arrays[i].Weight.Value.ShapeArray.Select(d => (long)d))) return false;
        }
        return true;
    }

    private static void ReadInto(IH5Dataset ds, Tensor target, string what, string file)
    {
        var declared = ds.Space.Dimensions;
        var dims = declared.Select(d => d > int.MaxValue ? -1 : (int)d).ToArray();
        if (!dims.SequenceEqual(target.ShapeArray))
            throw new ModelFileException(file, $"{what} has shape {Tensor.FormatShape(dims)} in the file but the model expects {Tensor.FormatShape(target.Shape)}. " +
                "The file was saved from a model with different layer sizes or input shape.");
        ReadValues(ds, target, what, file);
    }

    /// <summary>Reads a dataset whose shape was checked into <paramref name="target"/> (float32 or float64).</summary>
    internal static void ReadValues(IH5Dataset ds, Tensor target, string what, string file)
    {
        float[] values = ReadFloats(ds, what, file);
        if (values.Length != target.Size)
            throw new ModelFileException(file, $"{what} holds {values.Length} values but the model expects {target.Size}.");
        int bad = 0;
        foreach (float v in values) if (!float.IsFinite(v)) bad++;
        if (bad > 0)
            throw new ModelFileException(file, $"{what} holds {bad:N0} non-finite values (NaN or infinity) of {values.Length:N0}. " +
                "The file is damaged, or it was saved after training diverged; use an earlier checkpoint.");
        values.AsSpan().CopyTo(target.Span);
    }

    private static float[] ReadFloats(IH5Dataset ds, string what, string file)
    {
        if (ds.Type.Class != H5DataTypeClass.FloatingPoint)
            throw new ModelFileException(file, $"{what} is stored as {ds.Type.Class}, not as floating point numbers.");
        return ds.Type.Size switch
        {
            4 => ds.Read<float[]>(),
            8 => ds.Read<double[]>().Select(v => (float)v).ToArray(),
            _ => throw new ModelFileException(file, $"{what} is stored as {ds.Type.Size * 8}-bit floats; only float32 and float64 are supported."),
        };
    }

    private static double ReadScalar(IH5Dataset ds, string what, string file) => (ds.Type.Class, ds.Type.Size) switch
    {
        (H5DataTypeClass.FixedPoint, 8) => ds.Read<long>(),
        (H5DataTypeClass.FixedPoint, 4) => ds.Read<int>(),
        (H5DataTypeClass.FloatingPoint, 4) => ds.Read<float>(),
        (H5DataTypeClass.FloatingPoint, 8) => ds.Read<double>(),
        _ => throw new ModelFileException(file, $"{what} is stored as {ds.Type.Class} of {ds.Type.Size} bytes, not as a number."),
    };

    // ---- shared ----

    /// <summary>Keras' container names: snake_case class name plus a counter; null layer = the functional input.</summary>
    private static IEnumerable<(string Key, Layer? Layer)> Entries(Model model)
    {
        var used = new Dictionary<string, int>();
        if (model is not Sequential) yield return (Unique("input_layer", used), null);
        foreach (var layer in model.Layers) yield return (Unique(Layer.ToSnakeCase(KerasClass(layer)), used), layer);
    }

    private static string KerasClass(Layer layer) => layer switch
    {
        Sequential => "Sequential",
        Model => "Functional",
        _ => layer.ClassName,
    };

    private static string Unique(string name, Dictionary<string, int> used)
    {
        if (used.TryGetValue(name, out int n)) { used[name] = n + 1; return $"{name}_{n + 1}"; }
        used[name] = 0;
        return name;
    }

    /// <summary>The weights Keras stores for a layer: all, except BatchNormalization's gamma/beta when it has none.</summary>
    private static IReadOnlyList<Parameter> SavedParameters(Layer layer) => layer is Model ? [] : layer.KerasWeights;

    private static string Children(IH5Group group)
    {
        var names = group.Children().Select(c => c.Name).ToList();
        return names.Count == 0 ? "nothing" : string.Join(", ", names);
    }
}
