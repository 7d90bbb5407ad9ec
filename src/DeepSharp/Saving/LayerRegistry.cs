using System.Reflection;
using System.Text.Json.Nodes;
using DeepSharp.Layers;

namespace DeepSharp.Saving;

/// <summary>
/// Maps Keras class names ("Conv2D", "MaxPooling2D", ...) to the code that rebuilds a layer from its saved config.
/// Every layer of DeepSharp that implements <see cref="ILayerFromConfig{TSelf}"/> is found on first use (adding a layer
/// needs no edit here); <see cref="Register{T}"/> adds your own. Models ("Sequential", "Functional") are rebuilt by the
/// model loader, not here.
/// </summary>
/// <example><code>
/// LayerRegistry.Register&lt;MyLayer&gt;();                                     // MyLayer : ILayerFromConfig&lt;MyLayer&gt;
/// LayerRegistry.Register("MyOther", c => new MyOther(c.Int("units", 32), name: c.Name));
/// var model = Model.Load("custom.keras");
/// </code></example>
public static class LayerRegistry
{
    private static readonly Dictionary<string, Func<LayerConfig, Layer>> Factories = Discover(typeof(Layer).Assembly);

    /// <summary>The Keras class names that can be loaded, models included.</summary>
    public static IReadOnlyList<string> ClassNames
    {
        get { lock (Factories) return Factories.Keys.Concat(["InputLayer", "Sequential", "Functional"]).Order(StringComparer.Ordinal).ToList(); }
    }

    /// <summary>Registers (or replaces) the constructor used for <paramref name="className"/>.</summary>
    public static void Register(string className, Func<LayerConfig, Layer> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(className);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Factories) Factories[className] = factory;
    }

    /// <summary>
    /// Registers a layer class by its <c>FromConfig</c>, under <paramref name="className"/> or, by default, the C# class name
    /// (which is what <see cref="Layer.ClassName"/> writes unless the layer overrides it).
    /// </summary>
    /// <example><code>LayerRegistry.Register&lt;Scale&gt;();</code></example>
    public static void Register<T>(string? className = null) where T : Layer, ILayerFromConfig<T> =>
        Register(className ?? typeof(T).Name, c => T.FromConfig(c));

    /// <summary>Whether <paramref name="className"/> can be loaded.</summary>
    public static bool IsRegistered(string className)
    {
        lock (Factories) return Factories.ContainsKey(className);
    }

    /// <summary>Builds a layer from its class name and config; unknown names are an error listing the known ones.</summary>
    internal static Layer Create(string className, JsonObject config)
    {
        Func<LayerConfig, Layer>? factory;
        lock (Factories) Factories.TryGetValue(className, out factory);
        if (factory is null)
            throw new NotSupportedException($"Unknown layer class '{className}' (layer '{config["name"]}'). " +
                $"Supported classes: {string.Join(", ", ClassNames)}. Register your own before loading: " +
                $"LayerRegistry.Register<{className}>() for a layer implementing ILayerFromConfig, or LayerRegistry.Register(\"{className}\", config => ...).");
        var layer = factory(new LayerConfig(className, config));
        if (config["trainable"] is JsonValue t) layer.Trainable = t.GetValue<bool>();
        return layer;
    }

    /// <summary>Every concrete layer in <paramref name="assembly"/> that implements <see cref="ILayerFromConfig{TSelf}"/>, by class name.</summary>
    private static Dictionary<string, Func<LayerConfig, Layer>> Discover(Assembly assembly)
    {
        var make = typeof(LayerRegistry).GetMethod(nameof(FactoryOf), BindingFlags.NonPublic | BindingFlags.Static)!;
        var found = new Dictionary<string, Func<LayerConfig, Layer>>();
        foreach (var type in assembly.GetTypes())
        {
            if (type.IsAbstract || type.IsGenericTypeDefinition || !typeof(Layer).IsAssignableFrom(type)) continue;
            if (!type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILayerFromConfig<>) && i.GenericTypeArguments[0] == type)) continue;
            found[type.Name] = (Func<LayerConfig, Layer>)make.MakeGenericMethod(type).Invoke(null, null)!;
        }
        return found;
    }

    private static Func<LayerConfig, Layer> FactoryOf<T>() where T : Layer, ILayerFromConfig<T> => c => T.FromConfig(c);
}
