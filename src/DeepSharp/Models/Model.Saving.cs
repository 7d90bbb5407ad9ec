using Microsoft.Extensions.Logging;
using DeepSharp.Saving;

namespace DeepSharp.Models;

public partial class Model
{
    /// <summary>
    /// Saves the whole model — architecture, weights, compile settings and optimizer state — as a Keras 3 <c>.keras</c> file
    /// (a zip of config.json, metadata.json and model.weights.h5). The file is written next to <paramref name="path"/> and then
    /// renamed over it, so a crash never leaves half a model. Training resumes where it stopped after <see cref="Load"/>.
    /// </summary>
    /// <example><code>
    /// model.Save("cats_and_dogs_small_1.keras");
    /// var again = Model.Load("cats_and_dogs_small_1.keras");
    /// </code></example>
    public void Save(string path) => KerasArchive.Save(this, path);

    /// <summary>
    /// Loads a model saved by <see cref="Save"/> or by Keras 3 (<c>.keras</c>), or a Keras 2 HDF5 model (<c>model.save("m.h5")</c>,
    /// Sequential or functional): rebuilds its layers, loads its weights, and compiles it with the saved optimizer, loss and
    /// metrics when it was compiled (for a <c>.keras</c> file with the optimizer's state; a Keras 2 file's optimizer state is not
    /// restored, and a training setup DeepSharp lacks leaves the model uncompiled with a logged warning). Errors name the file
    /// and what is wrong (<see cref="ModelFileException"/>; <see cref="FileNotFoundException"/> when it does not exist).
    /// </summary>
    /// <example><code>
    /// var model = Model.Load("mnist.keras"); var p = model.Predict(testImages);
    /// var fromPython = Model.Load("from_python.h5");   // Keras 2 model.save("from_python.h5")
    /// </code></example>
    public static Model Load(string path) => KerasArchive.Load(path);

    /// <summary>
    /// Saves the weights only (and the optimizer state when compiled) as a Keras 3 <c>.weights.h5</c> file, written to a
    /// temporary file and renamed.
    /// </summary>
    /// <example><code>model.SaveWeights("mnist.weights.h5");</code></example>
    public void SaveWeights(string path) => KerasArchive.SaveWeights(this, path);

    /// <summary>
    /// Loads weights into this model, which must have the same architecture: a Keras 3 <c>.weights.h5</c> file written by
    /// <see cref="SaveWeights"/> or Keras (or the weights inside a <c>.keras</c> file; with the optimizer state when compiled), or
    /// a Keras 1/2 HDF5 weights file (<c>save_weights("x.h5")</c>, Keras' published application weights). Layers are matched by
    /// position in Keras' layer order, as in Keras; with <paramref name="byName"/> (Keras 2 files only) by layer name, layers
    /// missing from the file keeping their weights, and <paramref name="skipMismatch"/> then skips (with a warning to
    /// <c>DeepSharpLogging.Logger</c>) layers whose weight count or shapes differ instead of failing. Errors name the file, the layer and both shapes;
    /// no weight changes unless every shape fits.
    /// </summary>
    /// <example><code>
    /// model.LoadWeights("mnist.weights.h5");
    /// convBase.LoadWeights("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5");
    /// model.LoadWeights("pretrained.h5", byName: true, skipMismatch: true);   // reuse the layers whose names and shapes match
    /// </code></example>
    public void LoadWeights(string path, bool byName = false, bool skipMismatch = false)
    {
        foreach (var warning in KerasArchive.LoadWeights(this, path, byName, skipMismatch))
            Logging.DeepSharpLogging.Logger.LogWarning("{Warning}", warning);
    }
}
