using System.Security.Cryptography;
using System.Text.Json;
using Dsa.Data.Synthetic;
using Dsa.Evaluation;
using Dsa.IO;
using Dsa.Inference;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>
/// A trained model kept in the repository (models/NAME/: model.safetensors with the official parameter names, and
/// manifest.json): our stand-in for the paper's COCO-pretrained HRNet, so that the demo and the ablations start from a
/// well-trained single-frame model instead of spending their budget on pretraining.
/// </summary>
public static class ShippedModel
{
    public const string ManifestFile = "manifest.json";
    public const string WeightsFile = "model.safetensors";

    /// <summary>The single-frame cpu-small model trained on the paper-motion synthetic set (relative to the repository root).</summary>
    public const string DefaultDirectory = "models/cpu-small-paper-motion";

    /// <summary>Validation videos the manifest's check numbers are computed on.</summary>
    public const int DefaultCheckVideos = 2;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static string WeightsPath(string dir) => Path.Combine(dir, WeightsFile);

    /// <summary>
    /// The folder <paramref name="relative"/> (e.g. <see cref="DefaultDirectory"/>) under the working directory or one of its
    /// parents, else under the application's folder or its parents (a published or `dotnet run` build inside the repository).
    /// Null when there is none.
    /// </summary>
    public static string? Locate(string relative)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(Path.Combine(candidate, ManifestFile))) return candidate;
            }
        return null;
    }

    /// <summary>Checks that the weights are the file the manifest describes (sha256), without loading them.</summary>
    public static ShippedModelManifest Verify(string dir)
    {
        var manifest = ReadManifest(dir);
        var weights = WeightsPath(dir);
        if (!File.Exists(weights)) throw new FileNotFoundException($"{dir}: the manifest's weights {WeightsFile} are missing.", weights);
        var sha = Sha256Of(weights);
        if (sha != manifest.Sha256)
            throw new InvalidDataException($"{weights}: sha256 {sha} differs from the manifest's {manifest.Sha256}; the file is not the model the manifest describes " +
                "(a Git LFS pointer, a partial download or a local change).");
        return manifest;
    }

    public static ShippedModelManifest ReadManifest(string dir)
    {
        var path = Path.Combine(dir, ManifestFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{dir}: no {ManifestFile} (is it a shipped model folder?).", path);
        try
        {
            return JsonSerializer.Deserialize<ShippedModelManifest>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a shipped-model manifest ({e.Message}).", e); }
    }

    /// <summary>The model, loaded strictly, after checking that the weights file is the one the manifest describes.</summary>
    public static (DsaNet Model, ShippedModelManifest Manifest) Load(string dir)
    {
        var manifest = Verify(dir);
        var weights = WeightsPath(dir);
        var model = new DsaNet("dsa", manifest.Model);
        try
        {
            using var declared = Safetensors.Open(File.OpenRead(weights), weights);
            StateDictLoader.Load(model, declared.Tensors, strict: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (model, manifest);
    }

    /// <summary>
    /// Writes models/NAME/ from a finished run's checkpoint: the weights as safetensors, then the manifest with the
    /// AP on <paramref name="data"/>'s validation split and on its first <paramref name="checkVideos"/> validation videos.
    /// </summary>
    public static ShippedModelManifest Export(string checkpoint, DatasetFolder data, string outDir, string name, string description,
        string modelPreset, string command, string commit, int checkVideos = DefaultCheckVideos, int batchSize = 16)
    {
        var synthetic = SyntheticVideoConfig.ReadFrom(data.Root)
            ?? throw new InvalidDataException($"{data.Root}: no {SyntheticVideoConfig.FileName}; a shipped model records the synthetic set it was trained on.");
        if (checkVideos < 1 || checkVideos > synthetic.ValVideos)
            throw new ArgumentOutOfRangeException(nameof(checkVideos), $"check videos must be 1..{synthetic.ValVideos} (the set's validation videos); got {checkVideos}.");
        var evaluation = CheckpointEvaluation.Run(checkpoint, data, "val", batchSize);
        var (model, state) = Checkpoint.LoadModel(checkpoint);
        using (model)
        {
            Directory.CreateDirectory(outDir);
            var weights = WeightsPath(outDir);
            Safetensors.Write(weights, model.state_dict(), new Dictionary<string, string> { ["format"] = "dsa-weights", ["name"] = name });
            var check = EvaluateCheck(model, synthetic, checkVideos, batchSize);
            var manifest = new ShippedModelManifest(name, description, modelPreset, state.Model, state.Train, state.GlobalStep, state.Train.Seed,
                command, commit, SyntheticPresets.NameOf(synthetic), synthetic,
                ApSummary.From(evaluation.Result, evaluation.GroundTruth.Count), checkVideos, check,
                WeightsFile, new FileInfo(weights).Length, Sha256Of(weights));
            AtomicFile.WriteAllText(Path.Combine(outDir, ManifestFile), JsonSerializer.Serialize(manifest, Json));
            return manifest;
        }
    }

    /// <summary>
    /// AP of <paramref name="model"/> on the first <paramref name="videos"/> validation videos of <paramref name="synthetic"/>,
    /// generated afresh in a temporary folder (the generator is deterministic for a config and seed).
    /// </summary>
    public static ApSummary EvaluateCheck(DsaNet model, SyntheticVideoConfig synthetic, int videos, int batchSize = 16)
    {
        var root = Directory.CreateTempSubdirectory("dsa-model-check-").FullName;
        try
        {
            new SyntheticVideoGenerator(synthetic).WriteVideos(root, "val", videos);
            var data = new DatasetFolder(root);
            var gt = data.Read("val");
            var dataset = Experiment.Dataset(gt, data, model.Config);
            var samples = Dsa.Inference.PosePredictor.PredictSamples(model, dataset, Experiment.Pipeline(model.Config), batchSize);
            return ApSummary.From(PosetrackAp.Evaluate(gt, Dsa.Inference.PosePredictor.ToVideos(gt, samples)), gt.Count);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
