namespace Dsa.Data.Formats;

/// <summary>
/// The images, people and keypoint names of a COCO-like PoseTrack file (PoseTrack 2018 per-video files and the
/// merged files of DCPose / PoseWarper / mmpose), as either reader builds them; turning them into videos is
/// shared, so both readers give the same videos, warnings and frame order.
/// </summary>
internal sealed class CocoPoseTrackFile
{
    /// <summary>One entry of 'images', in file order (<see cref="Position"/>).</summary>
    public sealed record ImageRecord(int Position, long Id, string FileName, long? FrameId, bool? IsLabeled, List<Polygon> IgnoreRegions);

    public required List<ImageRecord> Images { get; init; }
    public required Dictionary<long, List<PersonAnnotation>> PeopleByImage { get; init; }
    public required IReadOnlyList<string> KeypointNames { get; init; }

    /// <summary>A per-video file: poseval's <c>Video.from_new</c> groups images by the number before the first '_' of
    /// their folder and evaluates only the first group; so does this.</summary>
    public VideoAnnotation FirstVideo(string name, string path)
    {
        var frames = Images;
        if (frames.Count > 0)
        {
            string first = VideoNumber(frames[0].FileName);
            frames = frames.Where(f => VideoNumber(f.FileName) == first).ToList();
        }
        return new VideoAnnotation(name, path, PoseTrackFormat.PoseTrack18, BuildFrames(frames), KeypointNames) { ReadWarnings = Warnings(path) };
    }

    /// <summary>A merged file: videos grouped by the folder of <c>file_name</c>, in order of first appearance, named
    /// "&lt;folder&gt;.json"; frames ordered by <c>frame_id</c> (file order where it is absent).</summary>
    public IReadOnlyList<VideoAnnotation> Videos(string path) =>
        Images
            .GroupBy(i => FolderName(i.FileName))
            .Select(g => new VideoAnnotation(
                g.Key + ".json", path, PoseTrackFormat.PoseTrack18,
                BuildFrames(g.OrderBy(i => i.FrameId ?? i.Position).ThenBy(i => i.Position).ToList()),
                KeypointNames) { ReadWarnings = Warnings(path) })
            .ToList();

    /// <summary>
    /// Image ids listed twice (both frames would get the same people) and annotations whose image_id
    /// names no image (poseval drops them without a word), described once each.
    /// </summary>
    public IReadOnlyList<string> Warnings(string path)
    {
        var warnings = new List<string>();
        var duplicates = Images.GroupBy(i => i.Id).Where(g => g.Count() > 1).ToList();
        if (duplicates.Count > 0)
        {
            var first = duplicates[0].ToList();
            warnings.Add($"{path}: {duplicates.Count} image id(s) are used by more than one image, e.g. id {duplicates[0].Key} by images[{first[0].Position}] and images[{first[1].Position}] (both get the same annotations)");
        }
        var known = Images.Select(i => i.Id).ToHashSet();
        var dangling = PeopleByImage.Where(kv => !known.Contains(kv.Key)).ToList();
        if (dangling.Count > 0)
            warnings.Add($"{path}: {dangling.Sum(kv => kv.Value.Count)} annotation(s) point at image ids no image has, e.g. image_id {dangling[0].Key} (they are not evaluated)");
        return warnings;
    }

    private List<FrameAnnotation> BuildFrames(IReadOnlyList<ImageRecord> images)
    {
        var frames = new List<FrameAnnotation>(images.Count);
        for (int i = 0; i < images.Count; i++)
        {
            var im = images[i];
            IReadOnlyList<PersonAnnotation> people = PeopleByImage.TryGetValue(im.Id, out var p) ? p : Array.Empty<PersonAnnotation>();
            frames.Add(new FrameAnnotation(im.FileName, i, im.Id, im.IsLabeled, people, im.IgnoreRegions));
        }
        return frames;
    }

    private static string FolderName(string fileName) =>
        Path.GetFileName(Path.GetDirectoryName(fileName.Replace('\\', '/')) ?? "") ?? "";

    /// <summary>poseval: path.basename(path.dirname(file_name)).split("_")[0].</summary>
    private static string VideoNumber(string fileName) => FolderName(fileName).Split('_')[0];

    /// <summary>poseval (convert.py, Video.from_new): exactly one category "person" with 15 or 17 keypoint names,
    /// every PoseTrack 2017 joint among them; the problem in words, or null when the names are fine.</summary>
    public static string? KeypointNamesProblem(IReadOnlyList<string> names)
    {
        if (names.Count is not (15 or 17)) return $"must list 15 or 17 names, got {names.Count}";
        foreach (var joint in Skeleton.PoseTrack.Joints)
            if (!names.Contains(joint.PoseTrackName)) return $"lacks the PoseTrack joint '{joint.PoseTrackName}'";
        return null;
    }

    /// <summary>poseval Person.from_new + to_old: a slot whose name is no PT17 joint is dropped, (0, 0, 0) is "not
    /// annotated" and dropped, v = 0 with real coordinates still counts; the score is scores[slot], none when
    /// 'scores' is missing or empty (null here). <paramref name="keypoints"/> holds 3 values per slot.</summary>
    public static List<AnnotatedPoint> Points(double[] keypoints, double[]? scores, int[] slotToId)
    {
        int slots = slotToId.Length;
        var points = new List<AnnotatedPoint>(slots);
        for (int s = 0; s < slots; s++)
        {
            if (slotToId[s] < 0) continue;
            double x = keypoints[3 * s], y = keypoints[3 * s + 1], v = keypoints[3 * s + 2];
            if (x == 0 && y == 0 && v == 0) continue;
            points.Add(new AnnotatedPoint(slotToId[s], x, y, scores?[s], v > 0));
        }
        return points;
    }
}
