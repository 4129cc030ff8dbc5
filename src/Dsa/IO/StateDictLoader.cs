using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.IO;

/// <summary>
/// PyTorch's <c>Module.load_state_dict</c> for TorchSharp modules whose parameter and buffer names
/// follow PyTorch's (see <see cref="StateDict.Entries"/>): values are copied in place under no_grad.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Copies tensors already in memory (see the <see cref="DeclaredTensor"/> overload for the rules).</summary>
    public static LoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true, Func<string, bool>? ignoreKey = null) =>
        Load(module, stateDict.Select(kv => DeclaredTensor.InMemory(kv.Key, kv.Value)).ToList(), strict, ignoreKey);

    /// <summary>
    /// Copies <paramref name="stateDict"/> into <paramref name="module"/>. Names, shapes and dtypes are
    /// compared with the module first and data is read only for the entries that match, one at a
    /// time, so a weights file cannot make this allocate more than the module's own size. Keys for which
    /// <paramref name="ignoreKey"/> is true are skipped on both sides. Strict mode throws an
    /// <see cref="InvalidDataException"/> carrying the report, before reading anything, when a key is
    /// missing or unexpected or a shape differs, except that missing <c>*.num_batches_tracked</c>
    /// alone is tolerated. A floating-point value may be cast to the module's floating-point dtype
    /// (as <c>copy_</c> does in PyTorch); any other dtype difference throws in both modes.
    /// </summary>
    public static LoadReport Load(nn.Module module, IReadOnlyList<DeclaredTensor> stateDict, bool strict = true, Func<string, bool>? ignoreKey = null)
    {
        ignoreKey ??= _ => false;
        var byName = new Dictionary<string, DeclaredTensor>(StringComparer.Ordinal);
        foreach (var d in stateDict)
            if (!byName.TryAdd(d.Name, d)) throw new InvalidDataException($"state dict names '{d.Name}' twice.");
        var targets = StateDict.Entries(module).Where(e => !ignoreKey(e.Name)).ToList();
        var targetNames = targets.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        var mismatches = new List<(string, long[], long[])>();
        var copies = new List<(Tensor Target, DeclaredTensor Source)>();
        foreach (var (name, target, _) in targets)
        {
            if (!byName.TryGetValue(name, out var source)) { missing.Add(name); continue; }
            if (!target.shape.SequenceEqual(source.Shape)) { mismatches.Add((name, target.shape, source.Shape)); continue; }
            if (target.dtype != source.DType && !(target.is_floating_point() && IsFloatingPoint(source.DType)))
                throw new InvalidDataException($"state dict entry '{name}' has dtype {source.DType}; the module's '{name}' is {target.dtype}.");
            copies.Add((target, source));
        }
        var unexpected = stateDict.Select(d => d.Name).Where(k => !ignoreKey(k) && !targetNames.Contains(k)).ToList();
        var report = new LoadReport(missing, unexpected, mismatches) { Loaded = copies.Count };
        if (strict && !report.IsStrictlyCompatible)
            throw new InvalidDataException($"state dict does not match the module ({module.GetName()}): {report}");
        using (torch.no_grad())
            foreach (var (target, source) in copies)
            {
                using var value = source.Read();
                if (!value.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"state dict entry '{source.Name}' was declared [{string.Join(", ", source.Shape)}] but holds [{string.Join(", ", value.shape)}].");
                target.copy_(value);
            }
        return report;
    }

    /// <summary>BatchNorm's step counter, absent from checkpoints written before torch 0.4.1.</summary>
    public static bool IsBatchCounter(string key) => key == "num_batches_tracked" || key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    private static bool IsFloatingPoint(ScalarType t) => t is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>Bytes the module's state dict takes (what loading it into the module needs at most).</summary>
    public static long Bytes(nn.Module module) =>
        StateDict.Entries(module).Sum(e => e.Value.numel() * e.Value.element_size());
}
