using Dsa.Data;
using Dsa.Data.Pipeline;

namespace Dsa.Tests.Data;

public class PoseAugmentationTests
{
    [Fact]
    public void FlippingTwiceIsTheIdentityIncludingTheJointSwap()
    {
        var rng = new Random(11);
        var joints = Enumerable.Range(0, 15).Select(_ => (X: rng.NextDouble() * 640, Y: rng.NextDouble() * 480)).ToArray();
        var vis = Enumerable.Range(0, 15).Select(j => j % 4 == 0 ? 0f : 1f).ToArray();
        var j2 = joints.ToArray();
        var v2 = vis.ToArray();
        PoseAugmentation.FlipJoints(j2, v2, 640, Skeleton.PoseTrack);
        // Once: the right ankle (0) is where the mirrored left ankle (5) was.
        Assert.Equal(639 - joints[5].X, j2[0].X, 9);
        Assert.Equal(vis[5], v2[0]);
        Assert.Equal(639 - joints[13].X, j2[13].X, 9); // nose has no partner
        PoseAugmentation.FlipJoints(j2, v2, 640, Skeleton.PoseTrack);
        for (int j = 0; j < 15; j++)
        {
            Assert.Equal(joints[j].X, j2[j].X, 9);
            Assert.Equal(joints[j].Y, j2[j].Y, 9);
            Assert.Equal(vis[j], v2[j]);
        }
        var f = PoseAugmentation.FlipTransform(640);
        Assert.Equal(AffineTransform.Identity, f.After(f));
    }

    [Fact]
    public void DrawsStayInThePapersRangesAndRepeatForTheSameSeed()
    {
        var config = new AugmentationConfig();
        var crop = new CropGeometry(100, 100, 150, 200);
        var joints = Enumerable.Range(0, 15).Select(j => (X: 80.0 + 3 * j, Y: 40.0 + 10 * j)).ToArray();
        var vis = Enumerable.Repeat(1f, 15).ToArray();
        int flips = 0, rotated = 0, halfBody = 0;
        var rng = new Random(5);
        for (int i = 0; i < 2000; i++)
        {
            var d = PoseAugmentation.Sample(config, rng, crop, joints, vis, 0.75, Skeleton.PoseTrack);
            Assert.InRange(d.Crop.RotationDegrees, -45, 45);
            if (d.Crop.CentreX == 100 && d.Crop.CentreY == 100) Assert.InRange(d.Crop.Width / crop.Width, 0.65, 1.35);
            else halfBody++;
            if (d.Flip) flips++;
            if (d.Crop.RotationDegrees != 0) rotated++;
        }
        Assert.InRange(flips, 900, 1100);
        Assert.InRange(rotated, 1100, 1300);
        Assert.InRange(halfBody, 500, 700);
        var a = PoseAugmentation.Sample(config, new Random(9), crop, joints, vis, 0.75, Skeleton.PoseTrack);
        var b = PoseAugmentation.Sample(config, new Random(9), crop, joints, vis, 0.75, Skeleton.PoseTrack);
        Assert.Equal(a, b);
    }

    [Fact]
    public void HalfBodyBoxesTheChosenHalfAndNeedsTwoJoints()
    {
        var config = new AugmentationConfig();
        var joints = Enumerable.Range(0, 15).Select(j => (X: 100.0 + j, Y: 10.0 * j)).ToArray();
        var vis = Enumerable.Repeat(1f, 15).ToArray();
        var upper = PoseAugmentation.HalfBody(config, joints, vis, true, 0.75, Skeleton.PoseTrack)!.Value;
        Assert.Equal(Enumerable.Range(6, 9).Average(j => 10.0 * j), upper.CentreY, 9);
        Assert.Equal(80 * 1.5, upper.Height, 9);
        var lower = PoseAugmentation.HalfBody(config, joints, vis, false, 0.75, Skeleton.PoseTrack)!.Value;
        Assert.Equal(25, lower.CentreY, 9);
        var one = new float[15]; one[3] = 1;
        Assert.Null(PoseAugmentation.HalfBody(config, joints, one, true, 0.75, Skeleton.PoseTrack));
    }
}
