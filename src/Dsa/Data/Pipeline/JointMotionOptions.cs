namespace Dsa.Data.Pipeline;

/// <summary>What <see cref="JointMotion.Measure"/> measures: which supporting offsets, which person boxes, which histogram.</summary>
public sealed record JointMotionOptions
{
    /// <summary>Supporting offsets d (frames relative to the key frame); the paper's window by default.</summary>
    public IReadOnlyList<int> Offsets { get; init; } = SupportingWindow.Default.Offsets;
    /// <summary>The key frame's box, as the training pipeline picks it (PT18 bbox; the keypoint box for PT17).</summary>
    public BoxSource BoxSource { get; init; } = BoxSource.AnnotatedBox;
    /// <summary>Histogram bin width in heatmap pixels.</summary>
    public double BinWidth { get; init; } = 0.25;
    /// <summary>Upper edge of the last regular bin; larger displacements go to one overflow bin.</summary>
    public double HistogramMax { get; init; } = 16;

    public void Validate()
    {
        if (Offsets.Count == 0 || Offsets.Any(d => d == 0))
            throw new ArgumentException($"Joint motion needs non-zero supporting offsets; got [{string.Join(", ", Offsets)}].");
        if (!(BinWidth > 0) || !double.IsFinite(BinWidth)) throw new ArgumentException($"BinWidth = {BinWidth} must be a positive number.");
        if (!(HistogramMax > BinWidth) || !double.IsFinite(HistogramMax)) throw new ArgumentException($"HistogramMax = {HistogramMax} must exceed BinWidth.");
    }
}
