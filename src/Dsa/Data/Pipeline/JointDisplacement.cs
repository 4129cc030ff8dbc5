namespace Dsa.Data.Pipeline;

/// <summary>
/// One joint's ground-truth motion from the key frame to the supporting frame at <paramref name="Offset"/>, in
/// heatmap pixels of the key frame's crop: the joint is at <paramref name="Key"/> in the key frame and at
/// Key + (Dx, Dy) in frame t + Offset. A GAB offset at Key that equals (Dy, Dx) samples the supporting feature exactly there.
/// </summary>
public readonly record struct JointDisplacement(int Joint, int Offset, (double X, double Y) Key, double Dx, double Dy)
{
    public double Length => Math.Sqrt(Dx * Dx + Dy * Dy);
}
