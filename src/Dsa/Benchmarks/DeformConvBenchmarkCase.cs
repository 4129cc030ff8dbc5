namespace Dsa.Benchmarks;

/// <summary>
/// One timed shape: ModulatedDeformConv2d input [Batch, Channels, Height, Width] -> OutChannels,
/// 3x3 kernel, stride 1, padding 1, one offset group, with a mask.
/// </summary>
public sealed record DeformConvBenchmarkCase(string Name, long Batch, long Channels, long Height, long Width, long OutChannels)
{
    /// <summary>"B,C,H,W,Cout", the form the torchvision reference script takes with --shape.</summary>
    public string ToArgument() => $"{Batch},{Channels},{Height},{Width},{OutChannels}";

    /// <summary>
    /// The default cases: HRNet-W48's highest-resolution feature for a 384x288 input is [48, 96, 72]
    /// (heatmap resolution, input / 4), the shape the paper's GAB aligns; batch 8, and batch 4 (the
    /// `paper` preset's GAB shape as benchmarked here: 4 supporting frames of one key frame).
    /// </summary>
    public static IReadOnlyList<DeformConvBenchmarkCase> Defaults { get; } = new[]
    {
        new DeformConvBenchmarkCase("hrnet-w48-b8", 8, 48, 96, 72, 48),
        new DeformConvBenchmarkCase("paper-gab-b4", 4, 48, 96, 72, 48),
    };
}
