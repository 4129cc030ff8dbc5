using static TorchSharp.torch;
using PendingTensor = Dsa.IO.PthArchive.PendingTensor;

namespace Dsa.IO;

/// <summary>
/// Reads PyTorch <c>torch.save</c> checkpoints (.pth / .pt) without Python and without running code:
/// the zip format (torch &gt;= 1.6: <c>&lt;archive&gt;/data.pkl</c> + <c>&lt;archive&gt;/data/&lt;key&gt;</c>
/// storages) and the legacy format (torch &lt; 1.6: magic, protocol 1001, sys-info, object pickle,
/// storage-key list, then each storage as an int64 element count and raw data). Only the globals a
/// tensor checkpoint needs are allowed (see <see cref="AllowedGlobals"/>), like
/// <c>torch.load(weights_only=True)</c>. Every size, offset and stride the file declares is checked
/// against the file and against <see cref="TensorReadLimits"/> before anything is allocated.
/// </summary>
public static class PthReader
{
    /// <summary>The globals a checkpoint may reference, as "module.name".</summary>
    public static IReadOnlyCollection<string> AllowedGlobals { get; } =
        new[] { "collections.OrderedDict", "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
                "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch.device" }
        .Concat(PthArchive.StorageTypes.Keys.Select(k => "torch." + k)).ToArray();

    /// <summary>
    /// Reads a checkpoint holding a state dict (see <see cref="OpenStateDict"/>) into dense, contiguous
    /// CPU tensors in file order; the caller owns (disposes) them. Nothing outside the state dict
    /// (optimizer state, ...) is read.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> ReadStateDict(string path, TensorReadLimits? limits = null)
    {
        using var weights = OpenStateDict(path, limits);
        var result = new OrderedDictionary<string, Tensor>();
        try
        {
            foreach (var d in weights.Tensors) result[d.Name] = d.Read();
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a checkpoint holding a state dict: the top-level dict itself, or its "state_dict" / "model"
    /// entry (training checkpoints); a "module." prefix on every key (DataParallel) is removed. Every
    /// entry is checked against its storage, but no tensor data is read until an entry's
    /// <see cref="DeclaredTensor.Read"/>, so a loader can match names and shapes with its model first.
    /// </summary>
    /// <param name="modelBytes">Size of the model the weights go into (0 if unknown): part of the default byte cap.</param>
    public static DeclaredStateDict OpenStateDict(string path, TensorReadLimits? limits = null, long modelBytes = 0)
    {
        var archive = PthArchive.Open(path, limits ?? TensorReadLimits.Default, modelBytes);
        try
        {
            var root = archive.Root;
            var dict = root as OrderedDictionary<object, object?>
                ?? throw new InvalidDataException($"{path}: the checkpoint holds a {PthArchive.Describe(root)}, not a dict of tensors.");
            foreach (var wrapper in new[] { "state_dict", "model" })
                if (dict.TryGetValue(wrapper, out var inner) && inner is OrderedDictionary<object, object?> innerDict)
                {
                    dict = innerDict;
                    break;
                }

            var entries = new List<(string Name, PendingTensor Tensor)>();
            foreach (var (key, value) in dict)
            {
                if (key is not string name) throw new InvalidDataException($"{path}: state dict key {PthArchive.Describe(key)} is not a string.");
                if (value is not PendingTensor t) throw new InvalidDataException($"{path}: state dict entry '{name}' is a {PthArchive.Describe(value)}, not a tensor.");
                archive.Check(t, $"state dict entry '{name}'");
                entries.Add((name, t));
            }
            const string dataParallelPrefix = "module.";
            bool strip = entries.Count > 0 && entries.All(e => e.Name.StartsWith(dataParallelPrefix, StringComparison.Ordinal));
            var declared = entries.Select(e =>
            {
                string name = strip ? e.Name[dataParallelPrefix.Length..] : e.Name;
                var pending = e.Tensor;
                return new DeclaredTensor(name, pending.Storage.Type.DType, pending.Size, () => archive.Dense(pending, $"state dict entry '{e.Name}'"));
            }).ToList();
            if (declared.Select(d => d.Name).Distinct(StringComparer.Ordinal).Count() != declared.Count)
                throw new InvalidDataException($"{path}: the state dict names an entry twice.");
            return new DeclaredStateDict(path, declared, archive);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the whole pickled object of a checkpoint. Values: None -> null, bool, int -> long
    /// (System.Numerics.BigInteger when larger), float -> double, str -> string, bytes -> byte[],
    /// tuple -> object?[], list/set -> List&lt;object?&gt;, dict/OrderedDict -> OrderedDictionary&lt;object, object?&gt;,
    /// tensors and parameters -> dense contiguous CPU <see cref="Tensor"/> (the caller disposes them),
    /// torch.device -> its string. Containers nested deeper than <see cref="TensorReadLimits.MaxDepth"/> are refused.
    /// </summary>
    public static object? ReadObject(string path, TensorReadLimits? limits = null)
    {
        using var archive = PthArchive.Open(path, limits ?? TensorReadLimits.Default, 0);
        return archive.MaterialiseAll();
    }
}
