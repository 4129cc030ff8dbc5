using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>
/// Keeps the prediction videos it is given, so that the pass that scored them can also write them
/// (predictions/*.json of a run) without predicting twice or asking the validator for its state.
/// </summary>
public sealed class PredictionRecorder : IPoseMetric<IReadOnlyList<VideoAnnotation>>
{
    private readonly List<VideoAnnotation> videos = [];

    public string Name => "predictions";

    public void Reset() => videos.Clear();

    public void Add(VideoAnnotation groundTruth, VideoAnnotation prediction) => videos.Add(prediction);

    /// <summary>The prediction videos added since the last reset, in GT order.</summary>
    public IReadOnlyList<VideoAnnotation> Compute() => videos.ToList();
}
