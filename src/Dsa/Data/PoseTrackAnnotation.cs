namespace Dsa.Data;

/// <summary>Which on-disk flavour a PoseTrack-format file used.</summary>
public enum PoseTrackFormat
{
    /// <summary>PoseTrack 2017: {"annolist": [{image, annorect, ignore_regions, is_labeled}]}.</summary>
    PoseTrack17,
    /// <summary>PoseTrack 2018: COCO-like {images, annotations, categories}.</summary>
    PoseTrack18,
}

/// <summary>
/// One annotated (or predicted) point as the file states it. Kept raw on purpose: poseval's
/// rules depend on details a cleaned-up model would lose (ids outside 0..14, repeated ids, the
/// order of points, a missing score).
/// </summary>
/// <param name="Id">PoseTrack 2017 joint id (any integer the file holds).</param>
/// <param name="Score">The point's score; null when the file has none.</param>
/// <param name="Visible">is_visible (PT17) or v &gt; 0 (PT18); null when absent.</param>
public sealed record AnnotatedPoint(int Id, double X, double Y, double? Score, bool? Visible);

/// <summary>An axis-aligned box in pixels, x1 &lt;= x2, y1 &lt;= y2.</summary>
public readonly record struct Box(double X1, double Y1, double X2, double Y2)
{
    public double Width => X2 - X1;
    public double Height => Y2 - Y1;
    public static Box FromXywh(double x, double y, double w, double h) => new(x, y, x + w, y + h);
}

/// <summary>One person in one frame (a PT17 annorect / a PT18 annotation).</summary>
/// <param name="Points">The points in file order; null when the person has no point list at all
/// (PT17 rect without annopoints), empty when the list is empty.</param>
/// <param name="HeadBox">PT17 x1..y2 / PT18 bbox_head; null when absent.</param>
/// <param name="PersonBox">PT18 bbox; null when absent (PT17 has none).</param>
public sealed record PersonAnnotation(
    int? TrackId,
    IReadOnlyList<AnnotatedPoint>? Points,
    Box? HeadBox,
    Box? PersonBox,
    double? Score)
{
    /// <summary>The first point with each id 0..J-1 (poseval's rule), or null where absent.</summary>
    public AnnotatedPoint?[] JointArray(int jointCount = 15)
    {
        var result = new AnnotatedPoint?[jointCount];
        if (Points is null) return result;
        foreach (var p in Points)
            if (p.Id >= 0 && p.Id < jointCount && result[p.Id] is null) result[p.Id] = p;
        return result;
    }
}

/// <summary>A polygon in pixels (an ignore region).</summary>
public sealed record Polygon(IReadOnlyList<(double X, double Y)> Vertices);

/// <summary>One frame of a video annotation file, in file order.</summary>
/// <param name="ImagePath">The image name as the file states it (e.g. images/val/000342_mpii_test/000000.jpg).</param>
/// <param name="FrameIndex">0-based position of the frame in its video (PT18 frame order; PT17 file order
/// or the number parsed from the name).</param>
/// <param name="ImageId">PT18 image id / frame_id; null for PT17.</param>
/// <param name="IsLabeled">is_labeled; null when the file does not say.</param>
public sealed record FrameAnnotation(
    string ImagePath,
    int FrameIndex,
    long? ImageId,
    bool? IsLabeled,
    IReadOnlyList<PersonAnnotation> People,
    IReadOnlyList<Polygon> IgnoreRegions);

/// <summary>A whole per-video PoseTrack file (GT or predictions).</summary>
/// <param name="Name">The file name without directory (how poseval pairs GT and predictions).</param>
/// <param name="SourcePath">Where it was read from, for error messages; null if built in memory.</param>
/// <param name="KeypointNames">PT18 category keypoint names (null for PT17).</param>
public sealed record VideoAnnotation(
    string Name,
    string? SourcePath,
    PoseTrackFormat Format,
    IReadOnlyList<FrameAnnotation> Frames,
    IReadOnlyList<string>? KeypointNames = null)
{
    /// <summary>
    /// What the reader found odd but poseval accepts (an image id used twice, annotations of an image
    /// the file does not list), each naming the file and the record; empty when the file is clean.
    /// </summary>
    public IReadOnlyList<string> ReadWarnings { get; init; } = [];
}
