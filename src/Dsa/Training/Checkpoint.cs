using System.IO.Compression;
using System.Text.Json;
using Dsa.IO;
using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Training;

/// <summary>
/// A training checkpoint: one zip file holding the model state dict (safetensors, official
/// parameter names), the optimizer state (TorchSharp's format: Adam moments and step counts), and
/// the trainer state (epoch, position in the epoch, best metric, RNG, both configs) as JSON.
/// Written atomically (temporary file, then rename), so a crash mid-write leaves the previous
/// checkpoint readable.
/// </summary>
public static class Checkpoint
{
    private const string ModelEntry = "model.safetensors";
    private const string OptimizerEntry = "optimizer.bin";
    private const string StateEntry = "trainer_state.json";

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static void Save(string path, nn.Module model, TorchSharp.Modules.OptimizerHelper? optimizer, TrainerState state)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var e = zip.CreateEntry(ModelEntry, CompressionLevel.NoCompression).Open())
                Safetensors.Write(e, model.state_dict(), new Dictionary<string, string> { ["format"] = "dsa-checkpoint" });
            if (optimizer is not null)
            {
                using var e = zip.CreateEntry(OptimizerEntry, CompressionLevel.NoCompression).Open();
                using var w = new BinaryWriter(e);
                optimizer.save_state_dict(w);
            }
            using (var e = zip.CreateEntry(StateEntry).Open())
                JsonSerializer.Serialize(e, state, Json);
        });
    }

    /// <summary>Reads only the trainer state (cheap: no tensors).</summary>
    public static TrainerState ReadState(string path)
    {
        using var zip = Open(path);
        return ReadStateEntry(zip, path);
    }

    /// <summary>Loads the weights into <paramref name="model"/> (strict) and, when given, the optimizer state.</summary>
    public static TrainerState Restore(string path, nn.Module model, TorchSharp.Modules.OptimizerHelper? optimizer)
    {
        using var zip = Open(path);
        var state = ReadStateEntry(zip, path);
        var modelEntry = zip.GetEntry(ModelEntry) ?? throw new InvalidDataException($"{path}: checkpoint has no '{ModelEntry}'.");
        using (var s = modelEntry.Open())
        using (var weights = Safetensors.Read(s, $"{path}!{ModelEntry}"))
            StateDictLoader.Load(model, weights.Tensors, strict: true);
        if (optimizer is not null)
        {
            var optEntry = zip.GetEntry(OptimizerEntry) ?? throw new InvalidDataException($"{path}: checkpoint has no '{OptimizerEntry}' (was it saved without an optimizer?).");
            using var s = optEntry.Open();
            using var buffered = new MemoryStream();
            s.CopyTo(buffered);
            buffered.Position = 0;
            using var r = new BinaryReader(buffered);
            optimizer.load_state_dict(r);
        }
        return state;
    }

    /// <summary>
    /// Loads only the backbone of a checkpoint into <paramref name="model"/>'s backbone (strict on the
    /// backbone): how a pretrained single-frame model starts a DSA model, as in the paper.
    /// </summary>
    public static void RestoreBackbone(string path, DsaNet model)
    {
        using var zip = Open(path);
        var modelEntry = zip.GetEntry(ModelEntry) ?? throw new InvalidDataException($"{path}: checkpoint has no '{ModelEntry}'.");
        using var s = modelEntry.Open();
        using var weights = Safetensors.Read(s, $"{path}!{ModelEntry}");
        const string prefix = "backbone.";
        var backbone = weights.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        if (backbone.Count == 0) throw new InvalidDataException($"{path}: checkpoint has no '{prefix}*' weights.");
        StateDictLoader.Load(model.Backbone, backbone, strict: true);
    }

    /// <summary>
    /// Warm start from a single-frame checkpoint: the backbone and the whole head are copied; the head's
    /// first 1x1 conv (which sees the T-frame concatenation [F_t, aligned F_t+d ...]) gets the
    /// checkpoint's weights in its key-frame slice and zeros in the supporting-frame slices. At step 0
    /// the model therefore computes exactly the single-frame model's heatmaps, and training can only
    /// add what the neighbouring frames contribute. Alignment modules keep their own initialisation.
    /// Returns the names that were copied.
    /// </summary>
    public static IReadOnlyList<string> WarmStart(string path, DsaNet model)
    {
        using var zip = Open(path);
        var modelEntry = zip.GetEntry(ModelEntry) ?? throw new InvalidDataException($"{path}: checkpoint has no '{ModelEntry}'.");
        using var s = modelEntry.Open();
        using var weights = Safetensors.Read(s, $"{path}!{ModelEntry}");
        var copied = new List<string>();
        using var noGrad = torch.no_grad();
        foreach (var (name, target) in model.state_dict())
        {
            if (!(name.StartsWith("backbone.", StringComparison.Ordinal) || name.StartsWith("head.", StringComparison.Ordinal))) continue;
            if (!weights.Tensors.TryGetValue(name, out var source))
                throw new InvalidDataException($"{path}: warm start needs '{name}', which the checkpoint lacks (is it a DSA/single-frame checkpoint of the same preset?).");
            if (source.shape.SequenceEqual(target.shape)) target.copy_(source);
            else if (name == ReduceWeight && source.dim() == 4 && target.shape[0] == source.shape[0] && target.shape[1] % source.shape[1] == 0)
            {
                target.zero_();
                target.narrow(1, 0, source.shape[1]).copy_(source); // [C, T*C, 1, 1]: key-frame slice first
            }
            else throw new InvalidDataException($"{path}: '{name}' has shape [{string.Join(", ", source.shape)}], the model [{string.Join(", ", target.shape)}].");
            copied.Add(name);
        }
        return copied;
    }

    /// <summary>The head's first conv, whose input is the concatenation of the T frames' features.</summary>
    private const string ReduceWeight = "head.reduce.0.weight";

    /// <summary>Builds the model a checkpoint describes and loads its weights (for eval/predict).</summary>
    public static (DsaNet Model, TrainerState State) LoadModel(string path)
    {
        var state = ReadState(path);
        var model = new DsaNet("dsa", state.Model);
        Restore(path, model, null);
        return (model, state);
    }

    public static string EncodeRngState()
    {
        using var s = torch.random.get_rng_state();
        return Convert.ToBase64String(s.bytes.ToArray());
    }

    public static void RestoreRngState(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        using var t = torch.empty(bytes.Length, ScalarType.Byte);
        t.bytes = bytes;
        torch.random.set_rng_state(t);
    }

    private static ZipArchive Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint {path} does not exist.", path);
        try { return ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: not a readable checkpoint (zip): {e.Message}", e); }
    }

    private static TrainerState ReadStateEntry(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(StateEntry) ?? throw new InvalidDataException($"{path}: checkpoint has no '{StateEntry}'.");
        using var s = entry.Open();
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(s, Json) ?? throw new InvalidDataException($"{path}!{StateEntry}: empty.");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}!{StateEntry}: {e.Message}", e); }
    }
}
