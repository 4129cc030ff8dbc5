namespace Dsa.Nn;

/// <summary>Named configurations (house rule: presets are named values, not copies).</summary>
public static class ModelPresets
{
    /// <summary>
    /// The paper: HRNet-W48, 384x288, supporting offsets -2,-1,+1,+2, 15 joints; the alignment modules start as the
    /// identity (our choice, <see cref="ModelConfig.IdentityStart"/>).
    /// </summary>
    public static ModelConfig Paper { get; } = new() { IdentityStart = true };

    /// <summary>
    /// A model that trains on 2 CPU cores in minutes: a narrow HRNet (branch widths 16..128, a
    /// 32-channel stem, one layer1 Bottleneck) at 128x96 (heatmaps 32x24), the alignment exactly as in
    /// the paper. Used by the demo, the tests and the notebooks.
    /// </summary>
    public static ModelConfig CpuSmall { get; } = new()
    {
        Backbone = HrnetConfig.Narrow(16, 15) with { StemChannels = 32, Layer1Blocks = 1 },
        InputHeight = 128,
        InputWidth = 96,
        FusionBlocks = 1,
        HeadLayers = 1,
        IdentityStart = true,
    };

    public static IReadOnlyDictionary<string, ModelConfig> All { get; } = new Dictionary<string, ModelConfig>
    {
        ["paper"] = Paper,
        ["cpu-small"] = CpuSmall,
    };

    public static ModelConfig Get(string name) =>
        All.TryGetValue(name, out var c) ? c
        : throw new ArgumentException($"Unknown preset '{name}'. Known presets: {string.Join(", ", All.Keys)}.");
}
