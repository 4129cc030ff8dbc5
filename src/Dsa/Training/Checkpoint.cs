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

    /// <summary>Reads only the trainer state (cheap: no tensors), checked field by field (<see cref="TrainerState.Check"/>).</summary>
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
        using (var weights = OpenModelEntry(zip, path))
            LoadStrict(model, weights, path);
        if (optimizer is not null)
        {
            var optEntry = zip.GetEntry(OptimizerEntry) ?? throw new InvalidDataException($"{path}: checkpoint has no '{OptimizerEntry}' (was it saved without an optimizer?).");
            using var buffered = new MemoryStream(ZipEntryBytes.Read(optEntry, path, Budget(path)));
            using var r = new BinaryReader(buffered);
            // TorchSharp's own format; it checks counts and shapes against the optimizer's parameters
            // and throws (never aborts) on a mismatch, in exception types that name nothing.
            try { optimizer.load_state_dict(r); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"{path}!{OptimizerEntry}: the optimizer state does not fit the model's parameters or is corrupt ({e.GetType().Name}: {e.Message}).", e);
            }
            if (buffered.Position != buffered.Length)
                throw new InvalidDataException($"{path}!{OptimizerEntry}: {buffered.Length - buffered.Position} bytes follow the optimizer state (it was written for a different set of parameters).");
        }
        return state;
    }

    /// <summary>
    /// Loads only the backbone of a checkpoint into <paramref name="model"/>'s backbone (strict on the
    /// backbone): how a pretrained single-frame model starts a DSA model, as in the paper.
    /// </summary>
    public static void RestoreBackbone(string path, DsaNet model)
    {
        using var weights = OpenWeights(path);
        const string prefix = "backbone.";
        var backbone = weights.Tensors.Where(d => d.Name.StartsWith(prefix, StringComparison.Ordinal))
            .Select(d => new DeclaredTensor(d.Name[prefix.Length..], d.DType, d.Shape, d.Read)).ToList();
        if (backbone.Count == 0) throw new InvalidDataException($"{path}: checkpoint has no '{prefix}*' weights.");
        try { StateDictLoader.Load(model.Backbone, backbone, strict: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}!{ModelEntry}: {e.Message}", e); }
    }

    /// <summary>
    /// Warm start from a single-frame checkpoint: the backbone and the whole head are copied; the head's
    /// first 1x1 conv (which sees the T-frame concatenation [F_t, aligned F_t+d ...]) gets the
    /// checkpoint's weights in its key-frame slice and zeros in the supporting-frame slices. At step 0
    /// the model therefore computes exactly the single-frame model's heatmaps, and training can only
    /// add what the neighbouring frames contribute. Alignment modules keep their own initialisation.
    /// Returns the names that were copied. Every name and shape is checked before any weight is read.
    /// With <paramref name="supportShare"/> s &gt; 0 the key slice gets (1-s) W and each supporting slice s W / (T-1)
    /// (<see cref="TrainConfig.WarmStartSupportShare"/>).
    /// </summary>
    public static IReadOnlyList<string> WarmStart(string path, DsaNet model, double supportShare = 0)
    {
        if (!(supportShare >= 0 && supportShare < 1)) throw new ArgumentOutOfRangeException(nameof(supportShare), $"the supporting frames' share must be in [0, 1); got {supportShare}.");
        using var weights = OpenWeights(path);
        var copies = new List<(Tensor Target, DeclaredTensor Source, bool Slice)>();
        foreach (var (name, target) in model.SingleFrameState())
        {
            var source = weights.Find(name)
                ?? throw new InvalidDataException($"{path}: warm start needs '{name}', which the checkpoint lacks (is it a DSA/single-frame checkpoint of the same preset?).");
            long[] shape = source.Shape;
            if (shape.SequenceEqual(target.shape)) copies.Add((target, source, false));
            else if (name == ReduceWeight && shape.Length == 4 && shape[1] > 0 && target.shape[0] == shape[0] && target.shape[1] % shape[1] == 0
                && shape[2] == target.shape[2] && shape[3] == target.shape[3])
                copies.Add((target, source, true));
            else throw new InvalidDataException($"{path}: '{name}' has shape [{string.Join(", ", shape)}], the model [{string.Join(", ", target.shape)}].");
        }
        using var noGrad = torch.no_grad();
        foreach (var (target, source, slice) in copies)
        {
            using var value = source.Read();
            if (!slice) { target.copy_(value); continue; }
            long c = value.shape[1], frames = target.shape[1] / c;
            target.zero_();
            target.narrow(1, 0, c).copy_(value * (1 - supportShare)); // [C, T*C, 1, 1]: key-frame slice first
            for (long f = 1; f < frames && supportShare > 0; f++)
                target.narrow(1, f * c, c).copy_(value * (supportShare / (frames - 1)));
        }
        return copies.Select(c => c.Source.Name).ToList();
    }

    /// <summary>The head's first conv, whose input is the concatenation of the T frames' features.</summary>
    private const string ReduceWeight = "head.reduce.0.weight";

    /// <summary>
    /// Builds the model a checkpoint describes and loads its weights (for eval/predict). The stored
    /// config is checked first: the network it describes must fit in the checkpoint's own weights
    /// (<see cref="ModelConfig.MinimumParameterCount"/>), so a crafted config cannot make this allocate
    /// more than the file holds; weights that are NaN or infinite are refused, naming the tensor.
    /// </summary>
    public static (DsaNet Model, TrainerState State) LoadModel(string path)
    {
        TrainerState state;
        using (var zip = Open(path))
        {
            state = ReadStateEntry(zip, path);
            long stored = zip.GetEntry(ModelEntry)?.Length ?? throw new InvalidDataException($"{path}: checkpoint has no '{ModelEntry}'.");
            double needed = 4 * state.Model.MinimumParameterCount();
            if (needed > stored)
                throw new InvalidDataException($"{path}!{StateEntry}: field 'Model' describes a network of at least {needed:N0} bytes of float32 weights, " +
                    $"but '{ModelEntry}' holds {stored:N0} bytes; the config does not belong to these weights.");
        }
        var model = new DsaNet("dsa", state.Model);
        try
        {
            Restore(path, model, null);
            foreach (var (name, value, _) in StateDict.Entries(model))
            {
                if (!value.is_floating_point()) continue;
                using var finite = value.isfinite().all();
                if (!finite.item<bool>())
                    throw new InvalidDataException($"{path}!{ModelEntry}: tensor '{name}' holds NaN or infinite values; the model cannot predict anything (was it saved after training diverged?).");
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (model, state);
    }

    public static string EncodeRngState()
    {
        using var s = torch.random.get_rng_state();
        return Convert.ToBase64String(s.bytes.ToArray());
    }

    /// <summary>
    /// Restores torch's CPU generator. libtorch aborts the process (uncatchably) on a state of the wrong
    /// length, so the length is checked against the running generator's own state first.
    /// </summary>
    /// <param name="source">Names the file and field in errors.</param>
    public static void RestoreRngState(string base64, string source = "TorchRngState")
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64); }
        catch (FormatException) { throw new InvalidDataException($"{source}: the RNG state is not base64."); }
        long expected;
        using (var current = torch.random.get_rng_state()) expected = current.numel();
        if (bytes.LongLength != expected)
            throw new InvalidDataException($"{source}: the RNG state has {bytes.Length} bytes; torch's CPU generator state has {expected}.");
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

    /// <summary>The most bytes one entry may inflate to: the file's own size bound (entries are stored uncompressed).</summary>
    private static long Budget(string path) => TensorReadLimits.DefaultTotalBytes(new FileInfo(path).Length);

    /// <summary>
    /// The weights of a checkpoint (its model entry) or of a bare safetensors file (a shipped model, models/*/model.safetensors),
    /// told apart by their first bytes: a zip starts with "PK". Tensor data is read when a loader asks for it.
    /// </summary>
    public static DeclaredStateDict OpenWeights(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file {path} does not exist.", path);
        Span<byte> magic = stackalloc byte[2];
        using (var probe = File.OpenRead(path))
            if (probe.Read(magic) == 2 && magic[0] == (byte)'P' && magic[1] == (byte)'K')
            {
                probe.Close();
                using var zip = Open(path);
                return OpenModelEntry(zip, path);
            }
        return Safetensors.Open(File.OpenRead(path), path);
    }

    /// <summary>The model entry's header, checked against its size; tensor data is read when a loader asks for it.</summary>
    private static DeclaredStateDict OpenModelEntry(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(ModelEntry) ?? throw new InvalidDataException($"{path}: checkpoint has no '{ModelEntry}'.");
        var bytes = ZipEntryBytes.Read(entry, path, Budget(path));
        return Safetensors.Open(new MemoryStream(bytes, writable: false), $"{path}!{ModelEntry}");
    }

    private static void LoadStrict(nn.Module model, DeclaredStateDict weights, string path)
    {
        try { StateDictLoader.Load(model, weights.Tensors, strict: true); }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}!{ModelEntry}: {e.Message}", e);
        }
    }

    private static TrainerState ReadStateEntry(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(StateEntry) ?? throw new InvalidDataException($"{path}: checkpoint has no '{StateEntry}'.");
        string where = $"{path}!{StateEntry}";
        TrainerState? state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(ZipEntryBytes.Read(entry, path, Budget(path)), Json);
        }
        catch (JsonException e) { throw new InvalidDataException($"{where}: {e.Message}", e); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
        return (state ?? throw new InvalidDataException($"{where}: empty.")).Check(where);
    }
}
