using Dsa.Data;
using Dsa.Data.Pipeline;
using Dsa.Inference;
using Dsa.Nn;
using Dsa.Tests.Data;
using TorchSharp;

namespace Dsa.Tests.Nn;

public class AlignmentOffsetErrorTests
{
    /// <summary>
    /// GAB's offset predictor made to output one constant offset (dy, dx) = (0.5, -0.25) at every tap and pixel (zero
    /// weights, that bias): its error at each joint is then |(dx, dy) - true displacement|, computed here from JointMotion.
    /// LEB starts at k = 0, so the stage error equals GAB's.
    /// </summary>
    [Fact]
    public void ConstantOffsetGivesTheErrorComputedFromTheTrueMotion()
    {
        using var video = new TinyVideo(frames: 6, people: 2);
        var config = ModelPresets.CpuSmall with { SupportOffsets = new[] { -1, 1 }, AlignmentScales = 2 };
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root,
            new PoseTrackDatasetOptions { Window = new SupportingWindow(config.SupportOffsets), LabeledFramesOnly = false });
        torch.manual_seed(1);
        using var model = new DsaNet("dsa", config);
        const double dy = 0.5, dx = -0.25;
        using (torch.no_grad())
        {
            var (name, bias) = model.named_parameters().Single(p => p.name.Contains("encoder.0.") && p.name.Contains("offset_predictor") && p.name.EndsWith("3.bias"));
            var weight = model.named_parameters().Single(p => p.name == name.Replace("bias", "weight")).parameter;
            weight.zero_();
            for (int tap = 0; tap < 9; tap++) { bias[2 * tap].fill_(dy); bias[2 * tap + 1].fill_(dx); }
        }

        var report = AlignmentOffsetError.Measure(model, dataset, maxSamples: 100, batchSize: 4)!;

        var motion = new JointMotion(dataset.Videos, new TopDownPipeline(HeatmapCodec.ForInput(config.InputWidth, config.InputHeight)));
        var pairs = dataset.Samples.SelectMany(s => config.SupportOffsets.SelectMany(d => motion.Displacements(s, d).Joints))
            .Where(j => j.Key.X >= 0 && j.Key.Y >= 0 && j.Key.X <= 23 && j.Key.Y <= 31).ToList();
        Assert.Equal("enc0", report.Stage);
        Assert.Equal(pairs.Count, report.Pairs);
        Assert.Equal(pairs.Average(j => j.Length), report.TrueMotion, 5);
        double expected = pairs.Average(j => Math.Sqrt((dx - j.Dx) * (dx - j.Dx) + (dy - j.Dy) * (dy - j.Dy)));
        Assert.Equal(expected, report.GabError!.Value, 4);
        Assert.Equal(report.GabError.Value, report.StageError, 4);
        Assert.Equal(Math.Sqrt(dx * dx + dy * dy), report.MeanGabOffset, 4);
        Assert.Equal(pairs.Count(j => Math.Sqrt((dx - j.Dx) * (dx - j.Dx) + (dy - j.Dy) * (dy - j.Dy)) < j.Length) / (double)pairs.Count, report.GabCloserShare!.Value, 6);
    }

    [Fact]
    public void SingleFrameModelHasNothingToMeasure()
    {
        using var video = new TinyVideo(frames: 4, people: 1);
        using var model = new DsaNet("dsa", ModelPresets.CpuSmall with { SupportOffsets = Array.Empty<int>() });
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        Assert.Null(AlignmentOffsetError.Measure(model, dataset));
    }
}
