namespace DeepSharp.Metrics;

/// <summary>
/// Keras' Recall (how often a true positive is predicted positive: TP / (TP + FN)), keras/src/metrics/confusion_metrics.py. Thresholds, <c>topK</c>
/// and <c>classId</c> as <see cref="ConfusionMetric"/> describes; its state: true positives and false negatives per
/// threshold.
/// </summary>
/// <example><code>
/// model.Compile("rmsprop", "binary_crossentropy", metrics: ["accuracy", new Recall(), new Recall(thresholds: [0.3], name: "recall_at_0.3")]);
/// model.Compile("rmsprop", "categorical_crossentropy", metrics: [new Recall(topK: 1, classId: 2, name: "recall_class_2")]);
/// </code></example>
/// <param name="thresholds">Each in [0, 1] (null: Keras' default, 0.5, or every value with topK).</param>
/// <param name="topK">Only the k largest predictions of each sample can be positive (null: all).</param>
/// <param name="classId">The one class (column of the last axis) looked at (null: all, flattened).</param>
/// <param name="name">The name in logs and History.</param>
public sealed class Recall(IReadOnlyList<double>? thresholds = null, int? topK = null, int? classId = null, string name = "recall")
    : ConfusionMetric(name, thresholds, topK, classId, countsFalseNegatives: true);
