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
public sealed class JointMotion
{
    private readonly TopDownPipeline _pipeline;
    private readonly Dictionary<string, FrameAnnotation[]> _frames;

    /// <summary>The motion of the samples of <paramref name="videos"/> as <paramref name="pipeline"/> crops them.</summary>
    public JointMotion(IReadOnlyList<VideoAnnotation> videos, TopDownPipeline pipeline)
    {
        _pipeline = pipeline;
        _frames = videos.ToDictionary(v => v.Name, v => v.Frames.OrderBy(f => f.FrameIndex).ToArray());
    }

    /// <summary>Why a (sample, offset) pair gave no displacements.</summary>
    public enum Gap { None, OutsideVideo, Unmatched }

    /// <summary>
    /// The displacements of <paramref name="sample"/>'s joints to frame t + <paramref name="offset"/>, or why there are none.
    /// </summary>
    public (IReadOnlyList<JointDisplacement> Joints, Gap Gap) Displacements(VideoSample sample, int offset) =>
        Displacements(sample, offset, _pipeline.CropFor(sample).ToAffine(_pipeline.Codec.InputWidth, _pipeline.Codec.InputHeight));

    /// <summary>
    /// The same through the image-to-input affine a sample was actually prepared with (an augmented crop, flip
    /// included: <see cref="SampleMeta.ImageToInput"/>). Both frames go through the same affine, so a flip mirrors the
    /// displacement, as it mirrors the pixels the alignment sees.
    /// </summary>
    public (IReadOnlyList<JointDisplacement> Joints, Gap Gap) Displacements(VideoSample sample, int offset, AffineTransform imageToInput)
    {
        if (!_frames.TryGetValue(sample.Video, out var frames))
            throw new ArgumentException($"{sample.Describe()}: its video is not among the videos this JointMotion was built on.", nameof(sample));
        int key = Array.FindIndex(frames, f => f.FrameIndex == sample.KeyFrame);
        int position = key + offset;
        if (key < 0 || position < 0 || position >= frames.Length) return (Array.Empty<JointDisplacement>(), Gap.OutsideVideo);
        var support = frames[position];
        var person = sample.TrackId is { } track && support.IsLabeled != false ? support.People.FirstOrDefault(p => p.TrackId == track) : null;
        if (person is null) return (Array.Empty<JointDisplacement>(), Gap.Unmatched);
        // [image] -> [input] by the key frame's crop, then input / stride: the heatmap pixels of the pipeline.
        var codec = _pipeline.Codec;
        (double X, double Y) ToHeatmap((double X, double Y) p)
        {
            var q = imageToInput.Apply(p);
            return (q.X / codec.StrideX, q.Y / codec.StrideY);
        }
        int count = _pipeline.Skeleton.Count;
        var joints = person.JointArray(count);
        var result = new List<JointDisplacement>();
        for (int j = 0; j < count; j++)
        {
            if (sample.Visibility[j] <= 0 || joints[j] is not { } pt || !double.IsFinite(pt.X) || !double.IsFinite(pt.Y)) continue;
            var (a, b) = (ToHeatmap(sample.Joints[j]), ToHeatmap((pt.X, pt.Y)));
            result.Add(new JointDisplacement(j, offset, a, b.X - a.X, b.Y - a.Y));
        }
        return (result, Gap.None);
    }

    /// <summary>The distribution of displacements over every sample of <paramref name="videos"/>, per offset and per distance.</summary>
    public static JointMotionReport Measure(IReadOnlyList<VideoAnnotation> videos, HeatmapCodec codec, JointMotionOptions? options = null,
        Skeleton? skeleton = null)
    {
        options ??= new JointMotionOptions();
        options.Validate();
        skeleton ??= Skeleton.PoseTrack;
        var pipeline = new TopDownPipeline(codec, skeleton: skeleton);
        var dataset = new PoseTrackVideoDataset(videos, framesRoot: "",
            new PoseTrackDatasetOptions { Window = SupportingWindow.SingleFrame, BoxSource = options.BoxSource, Skeleton = skeleton });
        var motion = new JointMotion(dataset.Videos, pipeline);
        var lengths = options.Offsets.ToDictionary(d => d, _ => new List<double>());
        int outside = 0, unmatched = 0;
        foreach (var sample in dataset.Samples)
            foreach (int d in options.Offsets)
            {
                var (joints, gap) = motion.Displacements(sample, d);
                if (gap == Gap.OutsideVideo) outside++;
                else if (gap == Gap.Unmatched) unmatched++;
                lengths[d].AddRange(joints.Select(j => j.Length));
            }
        DisplacementDistribution Distribution(IEnumerable<double> values) => DisplacementDistribution.From(values, options.BinWidth, options.HistogramMax);
        var byOffset = options.Offsets.Order().Select(d => new OffsetMotion(d, false, Distribution(lengths[d]))).ToList();
        var byDistance = options.Offsets.Select(Math.Abs).Distinct().Order()
            .Select(k => new OffsetMotion(k, true, Distribution(lengths.Where(e => Math.Abs(e.Key) == k).SelectMany(e => e.Value)))).ToList();
        return new JointMotionReport(codec.HeatmapWidth, codec.HeatmapHeight, codec.InputWidth, codec.InputHeight, pipeline.Padding, options.BoxSource,
            dataset.Videos.Count, dataset.Count, outside, unmatched, byOffset, byDistance);
    }
}
