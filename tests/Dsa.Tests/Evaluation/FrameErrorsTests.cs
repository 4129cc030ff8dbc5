using Dsa.Data;
using Dsa.Evaluation;

namespace Dsa.Tests.Evaluation;

public class FrameErrorsTests
{
    // Head box 30 x 40: diagonal 50, head size 0.6 x 50 = 30 px.
    private static PersonAnnotation Person(int track, double dx, int joints = 3) => new(track,
        Enumerable.Range(0, joints).Select(j => new AnnotatedPoint(j, 100 + 10 * j + dx, 50, 0.9, true)).ToList(),
        new Box(0, 0, 30, 40), null, null);

    private static VideoAnnotation Video(params PersonAnnotation[][] frames) => new("v.json", null, PoseTrackFormat.PoseTrack18,
        frames.Select((people, i) => new FrameAnnotation($"images/v/{i:D6}.jpg", i, null, true, people, Array.Empty<Polygon>())).ToList());

    [Fact]
    public void FramesAreRankedByMeanErrorInHeadSizesWithMissingPeopleAtTheCap()
    {
        var gt = Video(new[] { Person(1, 0) }, new[] { Person(1, 0) }, new[] { Person(1, 0), Person(2, 0) }, Array.Empty<PersonAnnotation>());
        // Frame 0 exact; frame 1 one head size off (30 px); frame 2: track 1 half a head size off, track 2 not predicted.
        var predicted = Video(new[] { Person(1, 0) }, new[] { Person(1, 30) }, new[] { Person(1, 15) }, Array.Empty<PersonAnnotation>());
        var ranked = FrameErrors.Rank(new[] { gt }, new[] { predicted });
        Assert.Equal(new[] { 2, 1, 0 }, ranked.Select(r => r.Position));
        Assert.Equal((0.5 * 3 + FrameErrors.Cap * 3) / 6, ranked[0].MeanError, 12);
        Assert.Equal((6, 3), (ranked[0].Joints, ranked[0].Missed)); // 0.5 head sizes is still a match, as in poseval
        Assert.Equal(1.0, ranked[1].MeanError, 12);
        Assert.Equal(3, ranked[1].Missed);
        Assert.Equal((0.0, 0), (ranked[2].MeanError, ranked[2].Missed));
    }

    [Fact]
    public void AMissingPredictionVideoIsNamed()
    {
        var gt = Video(new[] { Person(1, 0) });
        var e = Assert.Throws<InvalidDataException>(() => FrameErrors.Rank(new[] { gt }, Array.Empty<VideoAnnotation>()));
        Assert.Contains("v.json", e.Message);
    }
}
