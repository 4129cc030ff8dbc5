using Dsa.Data;
using Dsa.Data.Pipeline;
using Dsa.Nn;
using TorchSharp;

namespace Dsa.Inference;

/// <summary>
/// Runs a model over a dataset's samples and writes its poses back into PoseTrack-shaped videos:
/// heatmaps -> HeatmapCodec.Decode (argmax + quarter-pixel shift) -> inverse crop affine -> image
/// pixels, score = heatmap maximum. Every frame of every video is present (poseval pairs frames by
/// position), frames without samples have no people, and each person keeps its sample's track id.
/// </summary>
public static class PosePredictor
{
    /// <summary>Predicted joints of one dataset sample, in image pixels, with the identity its batch carried.</summary>
    public sealed record SamplePrediction(int SampleIndex, SampleMeta Sample, DecodedJoint[] Joints);

    /// <summary>Predicts every sample of <paramref name="dataset"/> (no augmentation, dataset order).</summary>
    public static IReadOnlyList<SamplePrediction> PredictSamples(DsaNet model, PoseTrackVideoDataset dataset, TopDownPipeline pipeline,
        int batchSize, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        var results = new List<SamplePrediction>(dataset.Count);
        using var loader = new DataLoader(dataset, pipeline, new DataLoaderOptions { BatchSize = batchSize, Shuffle = false, Augment = false, PrefetchBatches = 1 });
        // Ground-truth-flow alignment (a diagnostic) warps by the annotated motion, at evaluation time too.
        var motion = model.Config.NeedsAnnotatedMotion ? new JointMotion(dataset.Videos, pipeline) : null;
        var (h, w) = model.Config.HeatmapSize;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = torch.no_grad();
            using var fast = OneDnnConvolutions.ForGradientFreeForward(); // inference: no backward
            foreach (var batch in loader.Epoch(0, cancellation))
            {
                using var pause = FinalizerPause.Begin(); // TorchSharp's implicit Scalars vs the loader's GCs
                using var frames = batch.Frames.to(model.parameters().First().device);
                using var annotated = motion is null ? null : JointMotionBatch.Build(batch.Indices.Select(i => dataset[i]).ToList(), batch.Meta,
                    motion, model.Config.SupportOffsets, model.Config.Joints, pipeline.Codec);
                using var flows = annotated?.DenseFlow(h, w, model.Config.AnnotatedFlowSigma(), model.Config.AnnotatedFlowNoise);                  // [B, T-1, 2, h, w]
                using var heatmaps = model.forward(frames, flows); // [B, J, h, w]
                var decoded = pipeline.Codec.Decode(heatmaps, batch.Meta.Select(m => m.ImageToInput).ToList());
                for (int i = 0; i < batch.Count; i++)
                    results.Add(new SamplePrediction(batch.Indices[i], batch.Meta[i], decoded[i]));
                progress?.Report((results.Count, dataset.Count));
            }
            // The prefetching loader ends quietly when cancelled: partial predictions must not pass for a result.
            cancellation.ThrowIfCancellationRequested();
        }
        finally { model.train(wasTraining); }
        return results;
    }

    /// <summary>Predictions as PoseTrack videos shaped like <paramref name="groundTruth"/> (same names, same frames in the same order).</summary>
    public static IReadOnlyList<VideoAnnotation> ToVideos(IReadOnlyList<VideoAnnotation> groundTruth, IEnumerable<SamplePrediction> predictions)
    {
        var byFrame = predictions.GroupBy(p => (p.Sample.Video, p.Sample.KeyFrame)).ToDictionary(g => g.Key, g => g.OrderBy(p => p.Sample.Person).ToList());
        return groundTruth.Select(video => video with
        {
            SourcePath = null,
            Frames = video.Frames.Select(frame => frame with
            {
                People = byFrame.TryGetValue((video.Name, frame.FrameIndex), out var people)
                    ? people.Select((p, i) => ToPerson(p, i)).ToList()
                    : Array.Empty<PersonAnnotation>(),
                // Ignore regions are GT-only information.
                IgnoreRegions = Array.Empty<Polygon>(),
            }).ToList(),
        }).ToList();
    }

    private static PersonAnnotation ToPerson(SamplePrediction p, int index)
    {
        var points = p.Joints.Select((j, id) => new AnnotatedPoint(id, j.X, j.Y, j.Score, true)).ToList();
        // Track ids must be unique in a frame and < 1000 for poseval; the GT's id when it is valid.
        int track = p.Sample.TrackId is { } t && t is >= 0 and < 1000 ? t : index;
        return new PersonAnnotation(track, points, null, p.Sample.Box, p.Joints.Average(j => j.Score));
    }
}
