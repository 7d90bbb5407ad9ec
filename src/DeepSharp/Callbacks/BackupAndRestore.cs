using System.Text.Json.Nodes;

namespace DeepSharp.Callbacks;

/// <summary>
/// Lets an interrupted Fit resume (Keras' BackupAndRestore): after every epoch it saves the weights and optimizer state to
/// <c>backupDir/latest.weights.h5</c> and the epoch to <c>backupDir/training_metadata.json</c>, each written to a temporary
/// name and renamed. When Fit starts and a backup is there, it loads it and Fit continues with the epoch after the saved
/// one. When Fit ends normally the backup is deleted (unless <c>deleteCheckpoint</c> is false); when it is
/// cancelled or throws, the backup stays for the next run.
/// </summary>
/// <example><code>
/// var backup = new BackupAndRestore("backup");
/// try { model.Fit(x, y, epochs: 10, callbacks: [backup], cancellationToken: token); }
/// catch (OperationCanceledException) { }
/// model.Fit(x, y, epochs: 10, callbacks: [backup]);   // picks up where the first run stopped
/// </code></example>
public sealed class BackupAndRestore : Callback
{
    /// <summary>Writes (files or the console): rank 0 only in a world of several ranks.</summary>
    internal override bool RootOnly => true;

    /// <param name="backupDir">The folder for the backup (created when needed).</param>
    /// <param name="deleteCheckpoint">Delete the backup when Fit completes.</param>
    public BackupAndRestore(string backupDir, bool deleteCheckpoint = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(backupDir);
        BackupDir = backupDir;
        DeleteCheckpoint = deleteCheckpoint;
    }

    public string BackupDir { get; }
    public bool DeleteCheckpoint { get; }

    private string WeightsPath => Path.Combine(BackupDir, "latest.weights.h5");
    private string MetadataPath => Path.Combine(BackupDir, "training_metadata.json");

    /// <summary>The epoch (from 0) the last Fit resumed from, or null when it started fresh.</summary>
    public int? ResumedFromEpoch { get; private set; }

    public override void OnTrainBegin()
    {
        ResumedFromEpoch = null;
        var model = Model ?? throw new InvalidOperationException("BackupAndRestore is used outside Fit: it has no model.");
        if (!File.Exists(MetadataPath) || !File.Exists(WeightsPath)) return;
        int epoch;
        try { epoch = JsonNode.Parse(File.ReadAllText(MetadataPath))!["epoch"]!.GetValue<int>(); }
        catch (Exception e) when (e is System.Text.Json.JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"BackupAndRestore: '{MetadataPath}' is not a backup's metadata ({e.Message}). Delete the folder '{BackupDir}' to start over.", e);
        }
        model.LoadWeights(WeightsPath);
        model.ResumeEpoch = Math.Max(model.ResumeEpoch, epoch + 1);
        ResumedFromEpoch = epoch + 1;
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        Directory.CreateDirectory(BackupDir);
        Model!.SaveWeights(WeightsPath);
        string temp = $"{MetadataPath}.tmp-{Guid.NewGuid():N}";
        File.WriteAllText(temp, new JsonObject { ["epoch"] = epoch }.ToJsonString());
        File.Move(temp, MetadataPath, overwrite: true);
    }

    public override void OnTrainEnd()
    {
        if (!DeleteCheckpoint) return;
        File.Delete(WeightsPath);
        File.Delete(MetadataPath);
        if (Directory.Exists(BackupDir) && !Directory.EnumerateFileSystemEntries(BackupDir).Any()) Directory.Delete(BackupDir);
    }
}
