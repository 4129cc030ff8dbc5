namespace Dsa.Data.Pipeline;

/// <summary>
/// The temporal window of a sample: the key frame t and supporting frames t + d for each offset d
/// (the paper's default {-2, -1, +1, +2}; ablations use {-1, +1} and {-3..+3}).
/// </summary>
public sealed record SupportingWindow(IReadOnlyList<int> Offsets, FrameBoundaryPolicy Policy = FrameBoundaryPolicy.ClampToNearest)
{
    public static SupportingWindow Default { get; } = new([-2, -1, 1, 2]);

    /// <summary>No supporting frames: the single-frame (HRNet baseline) setting.</summary>
    public static SupportingWindow SingleFrame { get; } = new(Array.Empty<int>());

    /// <summary>Frames per sample, key frame included.</summary>
    public int FrameCount => 1 + Offsets.Count;

    /// <summary>Positions (0..frameCount-1) of the key frame then each supporting frame.</summary>
    public int[] Positions(int keyPosition, int frameCount)
    {
        if (frameCount <= 0 || keyPosition < 0 || keyPosition >= frameCount)
            throw new ArgumentOutOfRangeException(nameof(keyPosition), $"key position {keyPosition} outside a video of {frameCount} frames");
        var result = new int[FrameCount];
        result[0] = keyPosition;
        for (int i = 0; i < Offsets.Count; i++)
        {
            int p = keyPosition + Offsets[i];
            result[i + 1] = p >= 0 && p < frameCount ? p
                : Policy == FrameBoundaryPolicy.RepeatKeyFrame ? keyPosition
                : Math.Clamp(p, 0, frameCount - 1);
        }
        return result;
    }
}
