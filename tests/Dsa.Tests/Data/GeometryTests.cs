using Dsa.Data;
using Dsa.Data.Pipeline;

namespace Dsa.Tests.Data;

public class GeometryTests
{
    [Fact]
    public void AffineThenInverseReturnsThePointWithin1e3Pixels()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var crop = new CropGeometry(rng.NextDouble() * 1000, rng.NextDouble() * 700, 20 + rng.NextDouble() * 600, 30 + rng.NextDouble() * 800,
                rng.NextDouble() * 90 - 45);
            var forward = crop.ToAffine(288, 384);
            var inverse = crop.ToAffine(288, 384, inverse: true);
            for (int k = 0; k < 5; k++)
            {
                var p = (X: rng.NextDouble() * 1280, Y: rng.NextDouble() * 720);
                var q = inverse.Apply(forward.Apply(p));
                Assert.True(Math.Abs(q.X - p.X) < 1e-3 && Math.Abs(q.Y - p.Y) < 1e-3, $"{p} -> {q} for {crop}");
                var r = forward.Inverse().Apply(forward.Apply(p));
                Assert.True(Math.Abs(r.X - p.X) < 1e-3 && Math.Abs(r.Y - p.Y) < 1e-3, $"{p} -> {r} via Inverse() for {crop}");
            }
        }
    }

    [Fact]
    public void CropAffineMapsCentreToOutputCentreAndBoxEdgesToOutputEdges()
    {
        var crop = new CropGeometry(500, 300, 240, 320);
        var m = crop.ToAffine(288, 384);
        var c = m.Apply(500, 300);
        Assert.Equal(144, c.X, 9);
        Assert.Equal(192, c.Y, 9);
        var left = m.Apply(500 - 120, 300 - 160); // top-left corner of the crop
        Assert.Equal(0, left.X, 9);
        Assert.Equal(0, left.Y, 9);
    }

    [Fact]
    public void RotationTurnsTheCropCounterClockwiseLikeHrnet()
    {
        // HRNet's get_dir with rot = 90: the source "up" vector (0, -w/2) becomes (w/2, 0), so the image
        // point to the right of the centre lands at the top middle of the output.
        var crop = new CropGeometry(100, 100, 200, 200, 90);
        var top = crop.ToAffine(64, 64).Apply(200, 100);
        Assert.Equal(32, top.X, 9);
        Assert.Equal(0, top.Y, 9);
    }

    [Fact]
    public void FromBoxPadsToTheInputAspectRatioAndEnlargesBy25Percent()
    {
        var crop = CropGeometry.FromBox(new Box(10, 20, 110, 420), 288.0 / 384.0); // 100 x 400: too narrow
        Assert.Equal(60, crop.CentreX, 9);
        Assert.Equal(220, crop.CentreY, 9);
        Assert.Equal(300 * 1.25, crop.Width, 9);
        Assert.Equal(400 * 1.25, crop.Height, 9);
        Assert.Equal(400 * 1.25 / 200, crop.ScaleInPixelStd.Y, 9);
    }

    [Theory]
    [InlineData(10, 10, 10, 50)]
    [InlineData(10, 10, 50, 10)]
    [InlineData(double.NaN, 10, 50, 50)]
    public void FromBoxRejectsEmptyAndNonFiniteBoxes(double x1, double y1, double x2, double y2)
    {
        var e = Assert.Throws<ArgumentException>(() => CropGeometry.FromBox(new Box(x1, y1, x2, y2), 0.75));
        Assert.Contains("Box", e.Message);
    }

    [Fact]
    public void FromThreePointsSolvesTheExactMap()
    {
        var truth = new AffineTransform(0.5, -0.2, 13, 0.3, 1.7, -4);
        (double, double)[] src = [(0, 0), (10, 3), (-4, 8)];
        var dst = src.Select(truth.Apply).ToArray();
        var m = AffineTransform.FromThreePoints(src, dst);
        Assert.Equal(truth.M00, m.M00, 9); Assert.Equal(truth.M01, m.M01, 9); Assert.Equal(truth.M02, m.M02, 9);
        Assert.Equal(truth.M10, m.M10, 9); Assert.Equal(truth.M11, m.M11, 9); Assert.Equal(truth.M12, m.M12, 9);
    }

    [Fact]
    public void SupportingWindowClampsOrRepeatsTheKeyFrameAtVideoEnds()
    {
        var clamp = SupportingWindow.Default;
        Assert.Equal(new[] { 0, 0, 0, 1, 2 }, clamp.Positions(0, 10));
        Assert.Equal(new[] { 1, 0, 0, 2, 3 }, clamp.Positions(1, 10));
        Assert.Equal(new[] { 9, 7, 8, 9, 9 }, clamp.Positions(9, 10));
        Assert.Equal(new[] { 5, 3, 4, 6, 7 }, clamp.Positions(5, 10));
        var repeat = SupportingWindow.Default with { Policy = FrameBoundaryPolicy.RepeatKeyFrame };
        Assert.Equal(new[] { 0, 0, 0, 1, 2 }, repeat.Positions(0, 10));
        Assert.Equal(new[] { 1, 1, 0, 2, 3 }, repeat.Positions(1, 10));
        Assert.Equal(new[] { 8, 6, 7, 9, 8 }, repeat.Positions(8, 10));
        Assert.Equal(new[] { 0, 0, 0, 0, 0 }, repeat.Positions(0, 1));
        Assert.Equal(new[] { 3 }, SupportingWindow.SingleFrame.Positions(3, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => clamp.Positions(10, 10));
    }
}
