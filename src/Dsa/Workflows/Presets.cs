using Dsa.Nn;

namespace Dsa.Workflows;

/// <summary>The registry of named presets (house rule: presets are named values, not copies or string comparisons).</summary>
public static class Presets
{
    /// <summary>The demo's, the notebooks' and the command line's default.</summary>
    public const string DefaultName = "cpu-small";

    /// <summary>The paper: HRNet-W48 at 384x288, Adam 1e-3, batch 48, 20 epochs (meant for a GPU).</summary>
    public static Preset Paper { get; } = new("paper", "the paper's HRNet-W48 at 384x288 and its training (a GPU's work)",
        ModelPresets.Paper, TrainPresets.Paper, ShippedModelDirectory: null);

    /// <summary>A narrow HRNet at 128x96 with CPU-friendly training; the shipped single-frame model is one.</summary>
    public static Preset CpuSmall { get; } = new("cpu-small", "a narrow HRNet at 128x96 (heatmaps 32x24) that trains on 2 CPU cores",
        ModelPresets.CpuSmall, TrainPresets.CpuSmall, ShippedModel.DefaultDirectory);

    public static IReadOnlyDictionary<string, Preset> All { get; } = new Dictionary<string, Preset>(StringComparer.Ordinal)
    {
        [Paper.Name] = Paper,
        [CpuSmall.Name] = CpuSmall,
    };

    /// <summary>The preset of that name; an error listing the known ones otherwise.</summary>
    public static Preset Get(string name) =>
        All.TryGetValue(name, out var p) ? p
        : throw new ArgumentException($"Unknown preset '{name}'. Known presets: {string.Join(", ", All.Keys)}.");

    /// <summary>"cpu-small, paper" style list for help texts.</summary>
    public static string Names => string.Join(", ", All.Keys);
}
