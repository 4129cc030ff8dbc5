using Dsa.Data;
using Dsa.Data.Synthetic;

namespace Dsa.Evaluation;

/// <summary>
/// <see cref="DegradationBreakdown"/> as a metric object: per video, the frames split by the meta's blur into two
/// <see cref="PosetrackApMetric"/>s and the annotated joints split by its occlusion into two <see cref="PckhMetric"/>s.
/// A GT video without meta, a meta frame count other than the GT's, or a GT person or occluded joint the meta and
/// the GT disagree on is an error naming both files.
/// </summary>
public sealed class DegradationBreakdownMetric : IPoseMetric<DegradationBreakdown>
{
    private readonly Dictionary<string, SyntheticVideoMeta> metaByVideo = new(StringComparer.Ordinal);
    private readonly PosetrackApMetric sharp = new(), blurred = new();
    private readonly PckhMetric visible = new(), occluded = new();
    private int sharpFrames, blurredFrames, visibleFrames, occludedFrames;

    /// <param name="meta">The meta of every GT video to be added (matched by <see cref="SyntheticVideoMeta.Video"/>).</param>
    public DegradationBreakdownMetric(IEnumerable<SyntheticVideoMeta> meta)
    {
        foreach (var m in meta)
            if (!metaByVideo.TryAdd(m.Video, m)) throw new ArgumentException($"{m.SourcePath ?? m.Video}: two meta files describe video '{m.Video}'");
    }

    public string Name => "AP on sharp / blurred frames, PCKh@0.5 on visible / occluded joints";

    public void Reset()
    {
        foreach (IPoseMetric m in new IPoseMetric[] { sharp, blurred, visible, occluded }) m.Reset();
        sharpFrames = blurredFrames = visibleFrames = occludedFrames = 0;
    }

    public void Add(VideoAnnotation groundTruth, VideoAnnotation prediction)
    {
        var gt = groundTruth;
        var m = MetaOf(gt);
        string gtFile = gt.SourcePath ?? gt.Name;
        PoseMetrics.RequirePairedFrames(gt, prediction);
        for (int f = 0; f < gt.Frames.Count; f++)
        {
            var frameMeta = m.Frames[f];
            if (frameMeta.Blurred) blurredFrames++; else sharpFrames++;
            bool anyVisible = false, anyOccluded = false;
            var people = gt.Frames[f].People;
            for (int p = 0; p < people.Count; p++)
            {
                var truth = people[p];
                string where = $"{gtFile}: frame {f} ({gt.Frames[f].ImagePath}), GT person {p} (track_id {truth.TrackId?.ToString() ?? "none"})";
                var annotated = truth.JointArray();
                if (annotated.All(a => a is null)) continue;
                if (truth.HeadBox is null) throw new InvalidDataException($"{where}: no head box, which PCKh needs");
                // The generator writes -1 for a person without a track id (SyntheticVideoGenerator.WriteMeta).
                if (!frameMeta.OccludedJoints.TryGetValue(truth.TrackId ?? -1, out var covered))
                    throw new InvalidDataException($"{m.SourcePath ?? m.Video}: frames[{f}] lists no person with track_id {truth.TrackId ?? -1}, which {where} is");
                foreach (int j in covered)
                    if (annotated[j] is null)
                        throw new InvalidDataException($"{m.SourcePath ?? m.Video}: frames[{f}], track_id {truth.TrackId ?? -1}: occluded joint {j} ({Skeleton.PoseTrack.Joints[j].Name}) is not annotated in {where}");
                var predicted = truth.TrackId is int t
                    ? prediction.Frames[f].People.FirstOrDefault(q => q.TrackId == t)
                    : p < prediction.Frames[f].People.Count ? prediction.Frames[f].People[p] : null;
                // Points filtered by id: the first point per id is the one PCKh reads (JointArray).
                var visiblePart = truth with { Points = annotated.OfType<AnnotatedPoint>().Where(a => !covered.Contains(a.Id)).ToList() };
                var occludedPart = truth with { Points = annotated.OfType<AnnotatedPoint>().Where(a => covered.Contains(a.Id)).ToList() };
                if (visiblePart.Points!.Count > 0) { visible.AddPerson(visiblePart, predicted, where); anyVisible = true; }
                if (occludedPart.Points!.Count > 0) { occluded.AddPerson(occludedPart, predicted, where); anyOccluded = true; }
            }
            if (anyVisible) visibleFrames++;
            if (anyOccluded) occludedFrames++;
        }
        // AP subsets keep the video structure: a frame outside the subset keeps its place with no people (rule 2 drops it).
        sharp.Add(KeepFrames(gt, m, blurred: false), KeepFrames(prediction, m, blurred: false));
        blurred.Add(KeepFrames(gt, m, blurred: true), KeepFrames(prediction, m, blurred: true));
    }

    public DegradationBreakdown Compute() =>
        new(sharp.Compute(), blurred.Compute(), visible.Compute(), occluded.Compute(), sharpFrames, blurredFrames, visibleFrames, occludedFrames);

    private SyntheticVideoMeta MetaOf(VideoAnnotation gt)
    {
        string gtFile = gt.SourcePath ?? gt.Name;
        if (!metaByVideo.TryGetValue(gt.Name, out var m))
            throw new InvalidDataException($"{gtFile}: no meta file describes video '{gt.Name}' (field 'video' of meta/{{split}}/*.json)");
        if (m.Frames.Count != gt.Frames.Count)
            throw new InvalidDataException(
                $"{m.SourcePath ?? m.Video}: field 'frames' has {m.Frames.Count} frames but the GT {gtFile} has {gt.Frames.Count}" +
                (m.Frames.Count < gt.Frames.Count ? $" (no meta for frame {m.Frames.Count}, {gt.Frames[m.Frames.Count].ImagePath})" : ""));
        return m;
    }

    /// <summary>The video with every frame outside the subset emptied of people.</summary>
    private static VideoAnnotation KeepFrames(VideoAnnotation video, SyntheticVideoMeta meta, bool blurred) => video with
    {
        Frames = video.Frames.Select((frame, f) => meta.Frames[f].Blurred == blurred ? frame : frame with { People = Array.Empty<PersonAnnotation>() }).ToList(),
    };
}
