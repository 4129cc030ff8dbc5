using Dsa.Data.Formats;

namespace Dsa.Data;

/// <summary>
/// Top-down samples over PoseTrack videos: one sample per labelled person per labelled key frame, each
/// with its supporting frames. Image names in PoseTrack files are relative to the dataset root
/// (images/val/000342_mpii_test/000000.jpg); a name is resolved against the frames root as given and,
/// failing that, with its leading folders dropped one by one (so the Bonn clip's
/// videos/060470979/00001.jpg finds 00001.jpg beside its annotation). Frames listed in the file are the
/// video's frames; supporting offsets step through them in FrameIndex order. Every annotated joint is
/// a training target, occluded ones (is_visible 0 / v = 0 with coordinates) included: their positions
/// are known and recovering them from the neighbouring frames is what the temporal model is for.
/// </summary>
public sealed class PoseTrackVideoDataset : IDataset<VideoSample>
{
    private readonly List<VideoSample> _samples = new();

    public IReadOnlyList<VideoAnnotation> Videos { get; }
    public string FramesRoot { get; }
    public PoseTrackDatasetOptions Options { get; }
    public int Count => _samples.Count;
    public VideoSample this[int index] => _samples[index];
    public IReadOnlyList<VideoSample> Samples => _samples;

    public PoseTrackVideoDataset(IEnumerable<VideoAnnotation> videos, string framesRoot, PoseTrackDatasetOptions? options = null)
    {
        Videos = videos.ToList();
        FramesRoot = framesRoot;
        Options = options ?? new PoseTrackDatasetOptions();
        if (Options.BoxSource == BoxSource.Detection)
            throw new ArgumentException("Detection boxes need the overload that takes detections.", nameof(options));
        foreach (var video in Videos) AddVideo(video, null);
    }

    /// <summary>
    /// Samples from detector boxes instead of annotated people (the paper's evaluation protocol): one per
    /// detection in each key frame; <paramref name="detections"/> gives a frame's boxes with their scores. Joints
    /// of these samples are unknown (visibility 0).
    /// </summary>
    public PoseTrackVideoDataset(IEnumerable<VideoAnnotation> videos, string framesRoot,
        Func<VideoAnnotation, FrameAnnotation, IReadOnlyList<(Box Box, double Score)>> detections, PoseTrackDatasetOptions? options = null)
    {
        Videos = videos.ToList();
        FramesRoot = framesRoot;
        Options = (options ?? new PoseTrackDatasetOptions()) with { BoxSource = BoxSource.Detection };
        foreach (var video in Videos) AddVideo(video, detections);
    }

    /// <summary>Every per-video file of <paramref name="annotationDir"/> (e.g. annotations/val) over the dataset root.</summary>
    public static PoseTrackVideoDataset FromFolder(string annotationDir, string framesRoot, PoseTrackDatasetOptions? options = null) =>
        new(PoseTrackReader.ReadFolder(annotationDir), framesRoot, options);

    /// <summary>
    /// Detector boxes matched to frames by image id (PoseTrack 2018 / COCO ids, as the detection files of
    /// DCPose and MMPose use).
    /// </summary>
    public static PoseTrackVideoDataset WithDetections(IEnumerable<VideoAnnotation> videos, string framesRoot, DetectionBoxes detections,
        PoseTrackDatasetOptions? options = null) =>
        new(videos, framesRoot, (video, frame) => frame.ImageId is long id
            ? detections.ForImage(id).Select(d => (d.Box, d.Score)).ToList()
            : throw new InvalidDataException($"{video.SourcePath ?? video.Name}: frame {frame.FrameIndex} ('{frame.ImagePath}') has no image id " +
                "to match detections by (PoseTrack 2018 files have one)."), options);

    /// <summary>The image file for a frame's image name (see the class remarks for the fallback).</summary>
    public static string ResolveFramePath(string framesRoot, string imagePath)
    {
        var parts = imagePath.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int skip = 0; skip < parts.Length; skip++)
        {
            var candidate = Path.Combine(new[] { framesRoot }.Concat(parts.Skip(skip)).ToArray());
            if (File.Exists(candidate)) return candidate;
        }
        // None exists: keep the path as the file states it, so the loader's error names it.
        return Path.Combine(new[] { framesRoot }.Concat(parts).ToArray());
    }

    private void AddVideo(VideoAnnotation video, Func<VideoAnnotation, FrameAnnotation, IReadOnlyList<(Box Box, double Score)>>? detections)
    {
        var skeleton = Options.Skeleton;
        string where = video.SourcePath ?? video.Name;
        var frames = video.Frames.OrderBy(f => f.FrameIndex).ToList();
        var paths = frames.Select(f => ResolveFramePath(FramesRoot, f.ImagePath)).ToArray();
        for (int position = 0; position < frames.Count; position++)
        {
            var frame = frames[position];
            if (Options.LabeledFramesOnly && frame.IsLabeled == false) continue;
            var window = Options.Window.Positions(position, frames.Count);
            var frameIndices = window.Select(p => frames[p].FrameIndex).ToArray();
            var framePaths = window.Select(p => paths[p]).ToArray();
            if (detections is not null)
            {
                var boxes = detections(video, frame);
                for (int d = 0; d < boxes.Count; d++)
                {
                    var (box, score) = boxes[d];
                    CheckBox(box, $"{where}: frame {frame.FrameIndex} ('{frame.ImagePath}'), detection {d}, field 'bbox'");
                    _samples.Add(new VideoSample(video.Name, video.SourcePath, frame.FrameIndex, frameIndices, framePaths, d, null, box,
                        BoxSource.Detection, score, new (double, double)[skeleton.Count], new float[skeleton.Count]));
                }
                continue;
            }
            for (int p = 0; p < frame.People.Count; p++)
            {
                var person = frame.People[p];
                string record = $"{where}: frame {frame.FrameIndex} ('{frame.ImagePath}'), person {p}" +
                    (person.TrackId is { } tid ? $" (track {tid})" : "");
                var points = person.JointArray(skeleton.Count);
                var joints = new (double X, double Y)[skeleton.Count];
                var visibility = new float[skeleton.Count];
                int labelled = 0;
                for (int j = 0; j < skeleton.Count; j++)
                {
                    if (points[j] is not { } pt) continue;
                    if (!double.IsFinite(pt.X) || !double.IsFinite(pt.Y))
                        throw new InvalidDataException($"{record}, joint {skeleton.Joints[j].PoseTrackName}: field 'x'/'y' is not a finite number ({pt.X}, {pt.Y}).");
                    joints[j] = (pt.X, pt.Y);
                    visibility[j] = 1;
                    labelled++;
                }
                if (labelled < Math.Max(1, Options.MinLabeledJoints)) continue;
                Box box;
                if (Options.BoxSource == BoxSource.AnnotatedBox && person.PersonBox is { } annotated)
                {
                    box = annotated;
                    CheckBox(box, $"{record}, field 'bbox'");
                }
                else
                {
                    box = KeypointBox(joints, visibility);
                    // A single joint (or joints on one line) spans no area: nothing to crop around, skip the person.
                    if (!(box.Width > 0 && box.Height > 0)) continue;
                }
                _samples.Add(new VideoSample(video.Name, video.SourcePath, frame.FrameIndex, frameIndices, framePaths, p, person.TrackId, box,
                    Options.BoxSource, 1.0, joints, visibility));
            }
        }
    }

    /// <summary>
    /// poseval's Person.from_old box: centre of the labelled joints' extent, +- 0.65 x extent per axis
    /// (the rule PoseTrack 2018 GT boxes of converted PT17 data follow).
    /// </summary>
    public static Box KeypointBox(ReadOnlySpan<(double X, double Y)> joints, ReadOnlySpan<float> visibility)
    {
        double x1 = double.PositiveInfinity, y1 = double.PositiveInfinity, x2 = double.NegativeInfinity, y2 = double.NegativeInfinity;
        for (int j = 0; j < joints.Length; j++)
        {
            if (visibility[j] <= 0) continue;
            x1 = Math.Min(x1, joints[j].X); x2 = Math.Max(x2, joints[j].X);
            y1 = Math.Min(y1, joints[j].Y); y2 = Math.Max(y2, joints[j].Y);
        }
        double cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, w = x2 - x1, h = y2 - y1;
        return new Box(cx - 0.65 * w, cy - 0.65 * h, cx + 0.65 * w, cy + 0.65 * h);
    }

    private static void CheckBox(Box box, string record)
    {
        if (!double.IsFinite(box.X1) || !double.IsFinite(box.Y1) || !double.IsFinite(box.X2) || !double.IsFinite(box.Y2))
            throw new InvalidDataException($"{record}: box {box} has a non-finite coordinate.");
        if (box.Width <= 0 || box.Height <= 0)
            throw new InvalidDataException($"{record}: box {box} has zero size ({box.Width} x {box.Height}).");
    }
}
