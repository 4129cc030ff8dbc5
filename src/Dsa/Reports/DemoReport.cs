using Dsa.Data;
using Dsa.Data.Synthetic;
using Dsa.Evaluation;
using Dsa.IO;
using Dsa.Nn;
using Dsa.Training;
using Dsa.Visualization;
using Dsa.Workflows;
using SkiaSharp;
using TorchSharp;

namespace Dsa.Reports;

/// <summary>The `dsa demo` report: what was trained, the numbers beside the paper's, and the pictures.</summary>
public static class DemoReport
{
    /// <summary>Writes ROOT/report.html and returns its path.</summary>
    public static string Write(DemoOptions options, DatasetFolder data, DemoResult result)
    {
        var (pretrain, dsa, baseline, groundTruth) = (result.Pretrain, result.Dsa, result.Baseline, result.GroundTruthFlow);
        var report = new HtmlReport("DSA demo: temporal alignment on synthetic videos");
        report.Paragraph(
            $"Model preset cpu-small ({dsa.Model.InputHeight}x{dsa.Model.InputWidth} input, supporting offsets [{string.Join(", ", dsa.Model.SupportOffsets)}]), " +
            $"synthetic PoseTrack-format videos, seed {options.Seed}, " +
            (options.AlignSteps is null ? $"budget {options.Minutes} minutes. " : $"fixed budgets of {(pretrain is null ? "" : $"{pretrain.Outcome.Steps} pretraining and ")}{dsa.Outcome.Steps} alignment steps. ") +
            (pretrain is null
                ? $"Both models start from the single-frame weights {options.StartFrom} (the shipped model is our stand-in for the paper's COCO-pretrained HRNet). "
                : "Stage 1 trains a single-frame model from scratch (the paper starts from a COCO-pretrained HRNet; the demo pretrains its own). ") +
            $"Stage 2 warm-starts DSA from it (backbone frozen; the head's supporting-frame inputs start at zero, so at step 0 DSA computes exactly the single-frame heatmaps) and trains the alignment and head for {dsa.Outcome.Steps} steps; " +
            "stage 3 continues the single-frame model the same way for the same number of steps. DSA and the baseline therefore differ only in what the aligned neighbouring frames add." +
            (groundTruth is null ? "" : " Stage 4, a diagnostic that is not in the paper, trains the same head for the same steps on neighbours warped by the annotated motion " +
                "instead of the learned alignment: what alignment is worth on these videos when it is right."));

        report.Heading("Per-joint AP (poseval rules) beside the paper's Table 1");
        report.Paragraph("Our rows are on the synthetic validation videos; the paper's rows are PoseTrack2017 val. The numbers are not comparable across data sets: compare DSA with the baseline, and the pattern with the paper's.");
        report.ApTable(new[]
        {
            HtmlReport.Row("DSA (ours, cpu-small, synthetic)", dsa.Validation),
            HtmlReport.Row("single-frame baseline (ours, same backbone and steps)", baseline.Validation),
        }.Concat(groundTruth is null ? [] : [HtmlReport.Row("neighbours aligned by the annotated motion (ours, diagnostic)", groundTruth.Validation)]).Concat(pretrain is null ? [] : [HtmlReport.Row("single-frame after pretraining (ours)", pretrain.Validation)]).Concat(PaperResults.PoseTrack17Val.Select(HtmlReport.Row)));

        var paperDsa = PaperResults.PoseTrack17Val.Last();
        var bars = new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["DSA (ours)"] = Charts.ApRow(dsa.Validation),
            ["single-frame (ours)"] = Charts.ApRow(baseline.Validation),
        };
        if (groundTruth is not null) bars["annotated-motion alignment (ours)"] = Charts.ApRow(groundTruth.Validation);
        bars[$"{paperDsa.Method} (paper, PT17 val)"] = Charts.ApRow(paperDsa);
        report.Chart(Charts.PerJointApBars(bars, "Per-joint AP"));

        report.Heading("Training loss");
        var losses = new Dictionary<string, IReadOnlyList<(long Step, double Loss)>> { ["2 DSA"] = Losses(dsa.Run), ["3 baseline"] = Losses(baseline.Run) };
        if (pretrain is not null) losses["1 pretrain (single-frame)"] = Losses(pretrain.Run);
        if (groundTruth is not null) losses["4 annotated-motion alignment"] = Losses(groundTruth.Run);
        report.Chart(Charts.LossCurves(losses));

        var val = data.Read("val");
        var dsaPredictions = dsa.Predictions.ToDictionary(v => v.Name);
        var basePredictions = baseline.Predictions.ToDictionary(v => v.Name);
        var differences = FrameDifferences(val, dsaPredictions, basePredictions).OrderByDescending(d => d.Gain).ToList();

        WhereFramesAreHard(report, data, val, dsaPredictions, basePredictions);

        report.Heading("Where the two models differ most");
        report.Paragraph("Validation frames ranked by how much closer DSA's joints are to the ground truth than the baseline's (mean distance in head sizes). Left: baseline, middle: DSA, right: ground truth.");
        foreach (var d in differences.Take(3).Append(differences.Last()).Distinct())
            report.Image(Overlay(data, d), $"{d.Video.Name} frame {d.Frame.FrameIndex}: DSA {(d.Gain >= 0 ? "better" : "worse")} by {Math.Abs(d.Gain):F2} head sizes per joint");

        report.Heading("One GAB offset field");
        var (picture, caption) = OffsetFieldPicture(data, dsa, val, differences[0]);
        report.Image(picture, caption);

        var path = Path.Combine(options.RunRoot, "report.html");
        AtomicFile.WriteAllText(path, report.Render());
        return Path.GetFullPath(path);
    }

    /// <summary>
    /// The paper's claim is that aligned neighbours help where the key frame is ambiguous (blur, occlusion); the overall AP
    /// mixes those frames with clean ones, so they are scored apart (<see cref="DegradationBreakdown"/>). Only synthetic
    /// sets record blur and occlusion (meta/val/*.json); other data sets get no section.
    /// </summary>
    private static void WhereFramesAreHard(HtmlReport report, DatasetFolder data, IReadOnlyList<VideoAnnotation> val,
        IReadOnlyDictionary<string, VideoAnnotation> dsaPredictions, IReadOnlyDictionary<string, VideoAnnotation> basePredictions)
    {
        string metaDir = SyntheticVideoMeta.Folder(data.Root, "val");
        if (!Directory.Exists(metaDir)) return;
        var meta = SyntheticVideoMeta.ReadFolder(metaDir).Values.ToList();
        var dsa = DegradationBreakdown.Evaluate(val, dsaPredictions.Values.ToList(), meta);
        var baseline = DegradationBreakdown.Evaluate(val, basePredictions.Values.ToList(), meta);
        report.Heading("Where the frames are hard");
        report.Paragraph(
            "The paper's argument is that neighbouring frames help where the key frame alone is ambiguous: motion blur and occlusion. " +
            "The generator recorded which validation frames are blurred (exposure > 0) and which joints are covered, so both models are scored on those parts apart: " +
            "poseval AP on the sharp frames only and on the blurred frames only, and PCKh@0.5 (each person's prediction paired by track id) on the visible and on the occluded joints. " +
            "Frames = GT frames in the subset, Joints = GT joints scored. DSA minus baseline (Total): " +
            string.Join(", ", dsa.Subsets.Zip(baseline.Subsets, (d, b) => $"{d.Subset} {d.Metric} {(d.Joints == 0 ? "n/a (no GT joints)" : Signed(d.Total - b.Total))}")) + ".");
        report.Table(DegradationBreakdown.Table([("DSA", dsa), ("single-frame baseline", baseline)]),
            "AP on sharp / blurred frames, PCKh@0.5 on visible / occluded joints (percent)");
    }

    private static string Signed(double v) => v.ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture);

    private static IReadOnlyList<(long, double)> Losses(RunFolder run) =>
        MetricsLog.Read(run.LogJsonl).Where(e => e.Kind == TrainingEventKind.Step && e.Loss is > 0).Select(e => (e.Step, e.Loss!.Value)).ToList();

    private sealed record FrameDifference(VideoAnnotation Video, FrameAnnotation Frame, FrameAnnotation Dsa, FrameAnnotation Baseline, double Gain);

    /// <summary>Per frame: mean over people and annotated joints of (baseline error - DSA error) / head size.</summary>
    private static IEnumerable<FrameDifference> FrameDifferences(IReadOnlyList<VideoAnnotation> gt,
        IReadOnlyDictionary<string, VideoAnnotation> dsa, IReadOnlyDictionary<string, VideoAnnotation> baseline)
    {
        foreach (var video in gt)
        {
            if (!dsa.TryGetValue(video.Name, out var dv) || !baseline.TryGetValue(video.Name, out var bv)) continue;
            for (int f = 0; f < video.Frames.Count && f < dv.Frames.Count && f < bv.Frames.Count; f++)
            {
                var frame = video.Frames[f];
                double sum = 0;
                int n = 0;
                foreach (var person in frame.People)
                {
                    if (person.HeadBox is not { } head || person.TrackId is null) continue;
                    double headSize = 0.6 * Math.Sqrt(head.Width * head.Width + head.Height * head.Height);
                    var d = dv.Frames[f].People.FirstOrDefault(p => p.TrackId == person.TrackId)?.JointArray();
                    var b = bv.Frames[f].People.FirstOrDefault(p => p.TrackId == person.TrackId)?.JointArray();
                    if (d is null || b is null || headSize <= 0) continue;
                    var truth = person.JointArray();
                    for (int j = 0; j < truth.Length; j++)
                    {
                        if (truth[j] is not { } t || d[j] is not { } pd || b[j] is not { } pb) continue;
                        sum += (Math.Min(Dist(pb, t), 3 * headSize) - Math.Min(Dist(pd, t), 3 * headSize)) / headSize;
                        n++;
                    }
                }
                if (n > 0) yield return new FrameDifference(video, frame, dv.Frames[f], bv.Frames[f], sum / n);
            }
        }
    }

    private static double Dist(AnnotatedPoint a, AnnotatedPoint b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

    private static SKImage Overlay(DatasetFolder data, FrameDifference d)
    {
        using var frame = SKBitmap.Decode(PoseTrackVideoDataset.ResolveFramePath(data.Root, d.Frame.ImagePath))
            ?? throw new InvalidDataException($"{d.Frame.ImagePath}: cannot decode the frame.");
        SKImage Draw(FrameAnnotation annotation)
        {
            using var bitmap = PoseOverlayRenderer.Render(frame, annotation, scale: 1.5f);
            return SKImage.FromBitmap(bitmap);
        }
        using var baseline = Draw(d.Baseline with { IgnoreRegions = Array.Empty<Polygon>() });
        using var dsa = Draw(d.Dsa with { IgnoreRegions = Array.Empty<Polygon>() });
        using var truth = Draw(d.Frame);
        return Montage.Grid(new[] { new MontagePanel("baseline", baseline), new MontagePanel("DSA", dsa), new MontagePanel("ground truth", truth) }, columns: 3);
    }

    /// <summary>
    /// The first encoder stage's GAB sampling points for the t-1 supporting frame, at the wrists and
    /// ankles of the frame where DSA gains most, beside the dense field and the key frame's crop. The trained model is
    /// loaded from its checkpoint: the experiment released its native weights when it returned, and a result record
    /// that held them would leak them wherever a caller ignores it.
    /// </summary>
    private static (SKImage Image, string Caption) OffsetFieldPicture(DatasetFolder data, ExperimentResult dsa, IReadOnlyList<VideoAnnotation> val, FrameDifference where)
    {
        var (model, _) = Checkpoint.LoadModel(dsa.Run.LastCheckpoint);
        using var _model = model;
        var dataset = Experiment.Dataset(val, data, model.Config);
        var sample = dataset.Samples.First(s => s.Video == where.Video.Name && s.KeyFrame == where.Frame.FrameIndex);
        var pipeline = Experiment.Pipeline(model.Config);
        var encoded = pipeline.Prepare(sample, null);
        var c = model.Config;
        using var scope = torch.NewDisposeScope();
        var frames = torch.tensor(encoded.Frames, new long[] { 1, c.FrameCount, 3, c.InputHeight, c.InputWidth });
        model.eval();
        using var noGrad = torch.no_grad();
        using var output = model.Run(frames, trace: true);
        int support = Math.Max(0, c.SupportOffsets.ToList().IndexOf(-1));
        var fields = output.Fields[support].First(f => f.Offset is not null);
        var offset = fields.Offset![0];   // [18, h, w]
        var mask = fields.Mask![0];       // [9, h, w]
        var (h, w) = c.HeatmapSize;
        int stride = c.InputHeight / h;
        var pixels = new[] { "r_wrist", "l_wrist", "r_ankle", "l_ankle" }
            .Select(n => encoded.Joints[Skeleton.PoseTrack.IndexOf(n)])
            .Select(p => ((int)Math.Round(FeatureCoordinates.ToFeature(p.Y, stride)), (int)Math.Round(FeatureCoordinates.ToFeature(p.X, stride))))
            .Where(p => p.Item1 >= 0 && p.Item1 < h && p.Item2 >= 0 && p.Item2 < w).Distinct().ToList();
        if (pixels.Count == 0) pixels.Add((h / 2, w / 2));
        const float zoom = 3f; // the sampling picture's default enlargement; every panel uses the same scale
        using var keyCropSmall = CropImage.FromNormalisedTensor(frames[0, 0]);
        using var keyCrop = Raster.Zoom(keyCropSmall, zoom);
        using var supportCrop = CropImage.FromNormalisedTensor(frames[0, 1 + support]);
        using var points = OffsetFieldRenderer.SamplingPoints(supportCrop, offset, pixels, stride, mask, zoom);
        using var dense = OffsetFieldRenderer.DenseField(offset, scale: (int)(stride * zoom));
        using var legend = OffsetFieldRenderer.ColourWheelLegend(160);
        var image = Montage.Grid(new[]
        {
            new MontagePanel("key frame t", keyCrop),
            new MontagePanel($"frame t{c.SupportOffsets[support]:+0;-0}: GAB sampling points", points),
            new MontagePanel("mean offset (hue = direction)", dense),
            new MontagePanel("direction legend", legend),
        }, columns: 4);
        return (image, $"{where.Video.Name} frame {where.Frame.FrameIndex}, stage {fields.Stage}: hollow = the regular 3x3 grid, filled = where GAB samples the supporting frame (size = modulation), at the wrists and ankles.");
    }
}
