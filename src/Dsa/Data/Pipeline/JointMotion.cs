namespace Dsa.Data.Pipeline;

/// <summary>
/// The motion regime of a dataset, measured: the ground-truth displacement of each joint from the key frame t
/// to a supporting frame t + d, in the model's heatmap pixels after exactly the crop the pipeline makes
/// (<see cref="TopDownPipeline.CropFor"/>: the key frame's person box, fixed to the input's aspect ratio,
/// enlarged 25 %; the same crop is cut from every supporting frame, so a joint's displacement in the crop is
/// what GAB's offsets must bridge). Alignment can only matter where this exceeds what unaligned features
/// already reach (a 3x3 kernel: about one pixel); DSA-READING.md, "The motion regime".
/// <para>
/// Samples are the ones the training pipeline builds (<see cref="PoseTrackVideoDataset"/> with the same box
/// rule). The person in frame t + d is the one with the same track id; every joint labelled in both frames
/// counts. Supporting frames outside the video are skipped (the pipeline would clamp them, which is no motion,
/// not a measurement of it).
/// </para>
/// </summary>
public static class JointMotion
{
    public static JointMotionReport Measure(IReadOnlyList<VideoAnnotation> videos, HeatmapCodec codec, JointMotionOptions? options = null,
        Skeleton? skeleton = null)
    {
        options ??= new JointMotionOptions();
        options.Validate();
        skeleton ??= Skeleton.PoseTrack;
        var pipeline = new TopDownPipeline(codec, skeleton: skeleton);
        var dataset = new PoseTrackVideoDataset(videos, framesRoot: "",
            new PoseTrackDatasetOptions { Window = SupportingWindow.SingleFrame, BoxSource = options.BoxSource, Skeleton = skeleton });
        var ordered = dataset.Videos.ToDictionary(v => v.Name, v => v.Frames.OrderBy(f => f.FrameIndex).ToArray());
        var displacements = options.Offsets.ToDictionary(d => d, _ => new List<double>());
        int outside = 0, unmatched = 0;
        foreach (var sample in dataset.Samples)
        {
            var frames = ordered[sample.Video];
            int key = Array.FindIndex(frames, f => f.FrameIndex == sample.KeyFrame);
            // [image] -> [input] by the key frame's crop, then input / stride: the heatmap pixels of the pipeline.
            var toInput = pipeline.CropFor(sample).ToAffine(codec.InputWidth, codec.InputHeight);
            (double X, double Y) ToHeatmap((double X, double Y) p)
            {
                var q = toInput.Apply(p);
                return (q.X / codec.StrideX, q.Y / codec.StrideY);
            }
            foreach (int d in options.Offsets)
            {
                int position = key + d;
                if (position < 0 || position >= frames.Length) { outside++; continue; }
                var support = frames[position];
                var person = sample.TrackId is { } track && support.IsLabeled != false
                    ? support.People.FirstOrDefault(p => p.TrackId == track) : null;
                if (person is null) { unmatched++; continue; }
                var joints = person.JointArray(skeleton.Count);
                for (int j = 0; j < skeleton.Count; j++)
                {
                    if (sample.Visibility[j] <= 0 || joints[j] is not { } pt || !double.IsFinite(pt.X) || !double.IsFinite(pt.Y)) continue;
                    var (a, b) = (ToHeatmap(sample.Joints[j]), ToHeatmap((pt.X, pt.Y)));
                    displacements[d].Add(Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y)));
                }
            }
        }
        DisplacementDistribution Distribution(IEnumerable<double> values) => DisplacementDistribution.From(values, options.BinWidth, options.HistogramMax);
        var byOffset = options.Offsets.OrderBy(d => d).Select(d => new OffsetMotion(d, false, Distribution(displacements[d]))).ToList();
        var byDistance = options.Offsets.Select(Math.Abs).Distinct().Order()
            .Select(k => new OffsetMotion(k, true, Distribution(displacements.Where(e => Math.Abs(e.Key) == k).SelectMany(e => e.Value)))).ToList();
        return new JointMotionReport(codec.HeatmapWidth, codec.HeatmapHeight, codec.InputWidth, codec.InputHeight, pipeline.Padding, options.BoxSource,
            dataset.Videos.Count, dataset.Count, outside, unmatched, byOffset, byDistance);
    }
}
