using Dsa.Data;
using Dsa.Data.Formats;

namespace Dsa.Tests.Data;

/// <summary>When a video can be written as PoseTrack 2018 (poseval derives image ids from the names) and why not.</summary>
public class PoseTrack18NamingTests
{
    private static VideoAnnotation Video(params string[] imagePaths) => new("v.json", null, PoseTrackFormat.PoseTrack17,
        imagePaths.Select((p, i) => new FrameAnnotation(p, i, null, true, Array.Empty<PersonAnnotation>(), Array.Empty<Polygon>())).ToList());

    [Fact]
    public void PosevalNamesPassAndEveryOtherNameSaysWhy()
    {
        Assert.Null(PoseTrack18NamingProblem("images/val/000342_mpii_test/000000.jpg", "images/val/000342_mpii_test/000001.jpg"));
        Assert.Contains("'clip'", PoseTrack18NamingProblem("clip/000000.jpg"));
        Assert.Contains("frame_a.jpg", PoseTrack18NamingProblem("000001_bonn/frame_a.jpg"));
        Assert.Contains("video 000002", PoseTrack18NamingProblem("000001_mpii/000000.jpg", "000002_mpii/000001.jpg"));
        // What the writer refuses is exactly what is reported.
        Assert.Throws<ArgumentException>(() => PoseTrackWriter.Write(Video("clip/000000.jpg"), Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.json"), PoseTrackFormat.PoseTrack18));
    }

    private static string? PoseTrack18NamingProblem(params string[] imagePaths) => PoseTrackWriter.PoseTrack18NamingProblem(Video(imagePaths));
}
