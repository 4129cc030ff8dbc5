using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.IO;

/// <summary>
/// PyTorch's <c>Module.load_state_dict</c> for TorchSharp modules whose parameter and buffer names
/// follow PyTorch's (see <see cref="StateDict.Entries"/>): values are copied in place under no_grad.
/// </summary>
public static class StateDictLoader
{
    /// <summary>
    /// Copies <paramref name="stateDict"/> into <paramref name="module"/>. Keys for which
    /// <paramref name="ignoreKey"/> is true are skipped on both sides. Strict mode throws an
    /// <see cref="InvalidDataException"/> carrying the report, before copying anything, when a key is
    /// missing or unexpected or a shape differs, except that missing <c>*.num_batches_tracked</c>
    /// alone is tolerated. A floating-point value may be cast to the module's floating-point dtype
    /// (as <c>copy_</c> does in PyTorch); any other dtype difference throws in both modes.
    /// </summary>
    public static LoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true, Func<string, bool>? ignoreKey = null)
    {
        ignoreKey ??= _ => false;
        var targets = StateDict.Entries(module).Where(e => !ignoreKey(e.Name)).ToList();
        var targetNames = targets.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        var mismatches = new List<(string, long[], long[])>();
        var copies = new List<(Tensor Target, Tensor Source)>();
        foreach (var (name, target, _) in targets)
        {
            if (!stateDict.TryGetValue(name, out var source)) { missing.Add(name); continue; }
            if (!target.shape.SequenceEqual(source.shape)) { mismatches.Add((name, target.shape, source.shape)); continue; }
            if (target.dtype != source.dtype && !(target.is_floating_point() && source.is_floating_point()))
                throw new InvalidDataException($"state dict entry '{name}' has dtype {source.dtype}; the module's '{name}' is {target.dtype}.");
            copies.Add((target, source));
        }
        var unexpected = stateDict.Keys.Where(k => !ignoreKey(k) && !targetNames.Contains(k)).ToList();
        var report = new LoadReport(missing, unexpected, mismatches) { Loaded = copies.Count };
        if (strict && !report.IsStrictlyCompatible)
            throw new InvalidDataException($"state dict does not match the module ({module.GetName()}): {report}");
        using (torch.no_grad())
            foreach (var (target, source) in copies) target.copy_(source);
        return report;
    }

    /// <summary>BatchNorm's step counter, absent from checkpoints written before torch 0.4.1.</summary>
    public static bool IsBatchCounter(string key) => key == "num_batches_tracked" || key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);
}
