using System.Text;

namespace Dsa.IO;

/// <summary>
/// The outcome of copying a state dict into a module, in PyTorch's <c>load_state_dict</c> terms:
/// module entries the dict lacks, dict entries the module lacks, and entries whose shapes differ
/// (Expected = the module's shape, Actual = the dict's).
/// </summary>
public sealed record LoadReport(
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<(string Key, long[] Expected, long[] Actual)> ShapeMismatches)
{
    /// <summary>Number of module entries whose values were copied.</summary>
    public int Loaded { get; init; }

    /// <summary>True when the only problem is missing <c>num_batches_tracked</c> counters (checkpoints from torch &lt; 0.4.1 lack them; eval mode never reads them).</summary>
    public bool IsStrictlyCompatible =>
        Unexpected.Count == 0 && ShapeMismatches.Count == 0 && Missing.All(StateDictLoader.IsBatchCounter);

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"loaded {Loaded}, missing {Missing.Count}, unexpected {Unexpected.Count}, shape mismatches {ShapeMismatches.Count}");
        if (Missing.Count > 0) sb.Append("\n  missing: ").Append(string.Join(", ", Missing));
        if (Unexpected.Count > 0) sb.Append("\n  unexpected: ").Append(string.Join(", ", Unexpected));
        foreach (var (key, expected, actual) in ShapeMismatches)
            sb.Append($"\n  shape mismatch {key}: model [{string.Join(", ", expected)}], state dict [{string.Join(", ", actual)}]");
        return sb.ToString();
    }
}
