using DeepSharp.Layers;

namespace DeepSharp.Saving;

/// <summary>
/// A layer that rebuilds itself from its saved config (Keras' <c>from_config</c>), the inverse of
/// <see cref="Layer.GetConfig"/>. Every layer of DeepSharp implements it and is found by <see cref="LayerRegistry"/>
/// on its own; your layers are added with <c>LayerRegistry.Register&lt;MyLayer&gt;()</c>.
/// </summary>
/// <example><code>
/// public sealed class Scale(float factor, string? name = null) : SingleInputLayer(name), ILayerFromConfig&lt;Scale&gt;
/// {
///     public static Scale FromConfig(LayerConfig c) => new(c.Float("factor", 1f), c.Name);
///     public override Dictionary&lt;string, object?&gt; GetConfig() { var c = base.GetConfig(); c["factor"] = Factor; return c; }
///     ...
/// }
/// </code></example>
public interface ILayerFromConfig<TSelf> where TSelf : Layer, ILayerFromConfig<TSelf>
{
    /// <summary>Builds the layer from the config its <see cref="Layer.GetConfig"/> wrote (missing keys take Keras' defaults).</summary>
    static abstract TSelf FromConfig(LayerConfig config);
}
