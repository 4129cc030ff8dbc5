namespace Dsa.Nn;

/// <summary>
/// One of MODEL.EXTRA.STAGE2..STAGE4 of the official HRNet YAML: NUM_MODULES HighResolutionModules,
/// each with NUM_BRANCHES parallel branches of NUM_BLOCKS[i] blocks of width NUM_CHANNELS[i]
/// (times the block expansion), fused by FUSE_METHOD (only SUM exists upstream).
/// </summary>
public sealed record HrnetStageConfig(
    int NumModules,
    int NumBranches,
    HrnetBlockType Block,
    IReadOnlyList<int> NumBlocks,
    IReadOnlyList<int> NumChannels,
    string FuseMethod = "SUM")
{
    /// <summary>Output width of branch <paramref name="i"/>: NUM_CHANNELS[i] x block expansion.</summary>
    public long BranchChannels(int i) => (long)NumChannels[i] * (Block == HrnetBlockType.Bottleneck ? 4 : 1);

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="field"/> when the stage is not buildable.</summary>
    public void Validate(string field)
    {
        if (NumModules < 1) throw new ArgumentException($"{field}.NUM_MODULES must be >= 1, got {NumModules}.");
        if (NumBranches < 1) throw new ArgumentException($"{field}.NUM_BRANCHES must be >= 1, got {NumBranches}.");
        if (NumBlocks.Count != NumBranches)
            throw new ArgumentException($"{field}.NUM_BLOCKS has {NumBlocks.Count} entries but NUM_BRANCHES is {NumBranches}.");
        if (NumChannels.Count != NumBranches)
            throw new ArgumentException($"{field}.NUM_CHANNELS has {NumChannels.Count} entries but NUM_BRANCHES is {NumBranches}.");
        if (NumBlocks.Any(b => b < 1)) throw new ArgumentException($"{field}.NUM_BLOCKS entries must be >= 1, got [{string.Join(", ", NumBlocks)}].");
        if (NumChannels.Any(c => c < 1)) throw new ArgumentException($"{field}.NUM_CHANNELS entries must be >= 1, got [{string.Join(", ", NumChannels)}].");
        if (FuseMethod != "SUM") throw new ArgumentException($"{field}.FUSE_METHOD '{FuseMethod}' is not supported (the official code only implements SUM).");
    }

    // Records compare lists by reference; configs read from JSON must equal the presets.
    public bool Equals(HrnetStageConfig? other) =>
        other is not null && NumModules == other.NumModules && NumBranches == other.NumBranches && Block == other.Block
        && NumBlocks.SequenceEqual(other.NumBlocks) && NumChannels.SequenceEqual(other.NumChannels) && FuseMethod == other.FuseMethod;

    public override int GetHashCode() =>
        HashCode.Combine(NumModules, NumBranches, Block, string.Join(",", NumBlocks), string.Join(",", NumChannels), FuseMethod);

    public override string ToString() =>
        $"{NumModules} module(s), {NumBranches} branches, {Block}, blocks [{string.Join(", ", NumBlocks)}], channels [{string.Join(", ", NumChannels)}], {FuseMethod}";
}
