using Dsa.Data;
using Dsa.Data.Pipeline;
using Dsa.Data.Synthetic;
using Dsa.Nn;
using Dsa.Visualization;
using Dsa.Workflows;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dsa.Interactive;

/// <summary>
/// One validation sample as a model sees it, for the notebooks that look inside the alignment: the person's
/// input crops of the key frame and its supporting frames (the same affine crop cut from each), the prepared
/// tensors and the frames' names ("t", "t-2", ...). The sample is picked the same way everywhere: a person with
/// at least 12 visible joints, well inside the image, at the key frame closest to the middle of the video.
/// </summary>
public sealed class SampleClip : IDisposable
{
    public VideoSample Sample { get; }
    public EncodedSample Encoded { get; }
    /// <summary>[1, T, 3, H, W], key frame first.</summary>
    public Tensor Frames { get; }
    /// <summary>The T input crops, key frame first.</summary>
    public IReadOnlyList<SKImage> Crops { get; }
    /// <summary>"t", then "t-2", "t-1", "t+1", "t+2" for the model's supporting offsets.</summary>
    public IReadOnlyList<string> FrameNames { get; }

    private SampleClip(VideoSample sample, EncodedSample encoded, TopDownPipeline pipeline, IReadOnlyList<int> offsets)
    {
        (Sample, Encoded) = (sample, encoded);
        int frames = encoded.Frames.Length / (3 * pipeline.InputHeight * pipeline.InputWidth);
        Frames = tensor(encoded.Frames).reshape(1, frames, 3, pipeline.InputHeight, pipeline.InputWidth);
        Crops = Enumerable.Range(0, frames).Select(t => CropImage.FromNormalisedTensor(Frames[0, t])).ToArray();
        FrameNames = new[] { "t" }.Concat(offsets.Select(d => d < 0 ? $"t{d}" : $"t+{d}")).ToArray();
    }

    /// <summary>The notebooks' sample of <paramref name="dataset"/> (see the class summary).</summary>
    public static VideoSample Pick(PoseTrackVideoDataset dataset, SyntheticVideoConfig config) =>
        dataset.Samples.Where(s => s.Visibility.Count(v => v > 0) >= 12 && s.Box.X1 > 20 && s.Box.X2 < config.Width - 20)
            .OrderBy(s => Math.Abs(s.KeyFrame - config.Frames / 2)).FirstOrDefault()
        ?? throw new InvalidOperationException($"No sample of the {dataset.Count} has 12 visible joints well inside the image.");

    /// <summary>The picked validation sample of <paramref name="data"/>, prepared for <paramref name="model"/> (no augmentation).</summary>
    public static SampleClip FromValidation(SyntheticSet data, ModelConfig model)
    {
        var dataset = PoseTrackVideoDataset.FromFolder(data.Folder.AnnotationsDir("val"), data.Root,
            new PoseTrackDatasetOptions { Window = new SupportingWindow(model.SupportOffsets) });
        var pipeline = Experiment.Pipeline(model);
        var sample = Pick(dataset, data.Config);
        return new SampleClip(sample, pipeline.Prepare(sample, rng: null), pipeline, model.SupportOffsets);
    }

    /// <summary>The model's forward pass on this clip with every alignment field traced (eval mode, no gradients).</summary>
    public DsaOutput Trace(DsaNet model)
    {
        model.eval();
        using (no_grad()) return model.Run(Frames, trace: true);
    }

    public void Dispose()
    {
        Frames.Dispose();
        foreach (var crop in Crops) crop.Dispose();
    }
}
