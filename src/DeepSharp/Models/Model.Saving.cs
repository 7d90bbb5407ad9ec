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
    /// Loads a model saved by <see cref="Save"/>: rebuilds its layers, loads its weights, and compiles it with the saved
    /// optimizer (state included), loss and metrics when it was compiled. Errors name the file and what is wrong
    /// (<see cref="ModelFileException"/>; <see cref="FileNotFoundException"/> when it does not exist).
    /// </summary>
    /// <example><code>var model = Model.Load("mnist.keras"); var p = model.Predict(testImages);</code></example>
    public static Model Load(string path) => KerasArchive.Load(path);

    /// <summary>
    /// Saves the weights only (and the optimizer state when compiled) as a Keras 3 <c>.weights.h5</c> file, written to a
    /// temporary file and renamed.
    /// </summary>
    /// <example><code>model.SaveWeights("mnist.weights.h5");</code></example>
    public void SaveWeights(string path) => KerasArchive.SaveWeights(this, path);

    /// <summary>
    /// Loads weights saved by <see cref="SaveWeights"/> (or those inside a <c>.keras</c> file) into this model, which must have
    /// the same architecture. Layers are matched by position and class, as in Keras, not by name. When the model is compiled
    /// and the file holds optimizer state, that is restored too.
    /// </summary>
    /// <example><code>model.LoadWeights("mnist.weights.h5");</code></example>
    public void LoadWeights(string path) => KerasArchive.LoadWeights(this, path);
}
