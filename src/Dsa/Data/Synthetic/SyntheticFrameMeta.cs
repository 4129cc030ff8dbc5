namespace Dsa.Data.Synthetic;

/// <summary>
/// What <see cref="SyntheticVideoGenerator"/> knows about one frame beyond its annotation: how long the
/// exposure was (motion blur) and which of each person's annotated joints are covered.
/// </summary>
/// <param name="Frame">The frame's position in its video (= its position in the annotation file, the
/// frame number of images/{split}/{video}/NNNNNN.jpg).</param>
/// <param name="Exposure">Exposure in frame intervals; 0 = sharp, &gt; 0 = the frame averages renders over that span.</param>
/// <param name="OccludedJoints">Per track id, the PoseTrack 2017 joint ids (<see cref="Skeleton"/> indices 0..14) that
/// are annotated but covered by another person or an object (the GT's v = 0 points).</param>
public sealed record SyntheticFrameMeta(int Frame, double Exposure, IReadOnlyDictionary<int, IReadOnlySet<int>> OccludedJoints)
{
    public bool Blurred => Exposure > 0;
}
