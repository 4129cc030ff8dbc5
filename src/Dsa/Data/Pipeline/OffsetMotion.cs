namespace Dsa.Data.Pipeline;

/// <summary>Joint displacement from the key frame to the frame at <paramref name="Offset"/> (signed d), or to both t - d
/// and t + d when <paramref name="Pooled"/> (then <paramref name="Offset"/> is the distance |d|).</summary>
public sealed record OffsetMotion(int Offset, bool Pooled, DisplacementDistribution Distribution)
{
    public string Label => Pooled ? $"±{Offset}" : Offset > 0 ? $"+{Offset}" : $"{Offset}";
}
