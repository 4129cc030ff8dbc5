using Dsa.Data;
using Dsa.Data.Pipeline;
using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Inference;

/// <summary>
/// Do the trained GAB offsets follow the motion? For validation samples, the first full-resolution alignment
/// stage of each supporting frame is traced, and at every annotated key-frame joint its mean offset over the nine
/// taps (torchvision layout: (dy, dx) per tap) is compared with the joint's true displacement to that frame
/// (<see cref="JointMotion"/>). GAB output at p0 samples the supporting feature at p0 + p_n + Δp_n (eq. 3), so a
/// perfectly aligning GAB has mean offset = displacement at the joint. The error of zero offsets is the
/// displacement itself, so <see cref="AlignmentOffsetReport.TrueMotion"/> is the bar to beat.
/// </summary>
public static class AlignmentOffsetError
{
    /// <param name="maxSamples">At most this many samples, spread evenly over the dataset (deterministic).</param>
    public static AlignmentOffsetReport? Measure(DsaNet model, PoseTrackVideoDataset dataset, int maxSamples = 256, int batchSize = 8,
        CancellationToken cancellation = default)
    {
        if (model.Config.IsSingleFrame || model.Config.Alignment is AlignmentMode.None) return null; // nothing aligns
        var offsets = model.Config.SupportOffsets;
        var pipeline = new TopDownPipeline(HeatmapCodec.ForInput(model.Config.InputWidth, model.Config.InputHeight), skeleton: dataset.Options.Skeleton);
        var motion = new JointMotion(dataset.Videos, pipeline);
        int take = Math.Min(maxSamples, dataset.Count);
        var chosen = Enumerable.Range(0, take).Select(i => (int)((long)i * dataset.Count / take)).ToList();
        string? stage = null;
        double trueSum = 0, gabSum = 0, stageSum = 0, gabOffsetSum = 0, alignerSum = 0;
        int pairs = 0, closer = 0;
        bool hasGab = false, hasAligner = false;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = torch.no_grad();
            foreach (var batch in chosen.Chunk(batchSize))
            {
                cancellation.ThrowIfCancellationRequested();
                // TorchSharp's implicit Scalars vs the GCs this batch's preparation causes (see FinalizerPause): a grid cell
                // died here with libtorch's "toFloat" check after its training had finished.
                using var pause = FinalizerPause.Begin();
                using var scope = NewDisposeScope();
                var samples = batch.Select(i => dataset[i]).ToList();
                var encoded = samples.Select(s => pipeline.Prepare(s, rng: null)).ToList();
                var frames = torch.stack(encoded.Select(e => torch.tensor(e.Frames)).ToArray())
                    .reshape(samples.Count, model.Config.FrameCount, 3, model.Config.InputHeight, model.Config.InputWidth); // [B, T, 3, H, W]
                // The ground-truth-flow diagnostics warp by the annotated motion: their error at the joints says how much of
                // the motion their field leaves out (the translation: each joint's own motion minus the person's mean).
                var flows = model.Config.NeedsAnnotatedMotion
                    ? JointMotionBatch.Build(samples, encoded.Select(e => e.Meta).ToList(), motion, offsets, model.Config.Joints, pipeline.Codec)
                        .DenseFlow(model.Config.HeatmapSize.Height, model.Config.HeatmapSize.Width, model.Config.AnnotatedFlowSigma(), model.Config.AnnotatedFlowNoise)
                    : null;
                using var output = model.Run(frames, trace: true, supportFlows: flows);
                for (int f = 0; f < offsets.Count; f++)
                {
                    var first = output.Fields[f].First(x => x.Level == 0);
                    // The whole aligner's displacement at full resolution, where it reports one (cascade, coarse-to-fine U-Net).
                    var total = output.Fields[f].FirstOrDefault(x => x.Stage == AlignmentFields.TotalStage)?.Displacement?.contiguous();
                    hasAligner = total is not null;
                    stage ??= first.Stage;
                    hasGab = first.Offset is not null;
                    var gab = first.Offset is { } o ? AlignmentFields.MeanOverTaps(o).contiguous() : null; // [B, 2 (dy, dx), h, w]
                    var k = first.Affine is { } a ? a.narrow(1, 4, 2).contiguous() : null; // [B, 2 (k_y, k_x), h, w]
                    // A row without stages (ground-truth flow): its only entry is the aligner's, which is then also "the stage".
                    if (first.Stage == AlignmentFields.TotalStage) k = total;
                    for (int b = 0; b < samples.Count; b++)
                    {
                        foreach (var joint in motion.Displacements(samples[b], offsets[f]).Joints)
                        {
                            var g = gab is null ? (0.0, 0.0) : Bilinear(gab, b, joint.Key);
                            var t = k is null ? (0.0, 0.0) : Bilinear(k, b, joint.Key);
                            if (g is null || t is null) continue; // the joint lies outside the heatmap
                            var ((gy, gx), (ty, tx)) = (g.Value, t.Value);
                            double trueLength = joint.Length;
                            double gabError = Distance(gx - joint.Dx, gy - joint.Dy);
                            trueSum += trueLength;
                            gabSum += gabError;
                            stageSum += Distance(gx + tx - joint.Dx, gy + ty - joint.Dy);
                            gabOffsetSum += Distance(gx, gy);
                            if (total is not null && Bilinear(total, b, joint.Key) is var (ay, ax)) alignerSum += Distance(ax - joint.Dx, ay - joint.Dy);
                            if (gabError < trueLength) closer++;
                            pairs++;
                        }
                    }
                }
            }
        }
        finally { model.train(wasTraining); }
        if (pairs == 0) throw new InvalidDataException("No annotated joint with a labelled counterpart in a supporting frame: nothing to compare the offsets with.");
        return new AlignmentOffsetReport(stage!, take, pairs, trueSum / pairs, hasGab ? gabSum / pairs : null, stageSum / pairs,
            hasGab ? (double)closer / pairs : null, gabOffsetSum / pairs, hasAligner ? alignerSum / pairs : null);
    }

    private static double Distance(double x, double y) => Math.Sqrt(x * x + y * y);

    /// <summary>A [B, 2, h, w] field at a sub-pixel point (x, y), bilinear; null outside the map.</summary>
    private static (double Y, double X)? Bilinear(Tensor field, int b, (double X, double Y) p)
    {
        long h = field.shape[2], w = field.shape[3];
        if (!(p.X >= 0 && p.Y >= 0 && p.X <= w - 1 && p.Y <= h - 1)) return null;
        int x0 = Math.Min((int)p.X, (int)w - 2), y0 = Math.Min((int)p.Y, (int)h - 2);
        double fx = p.X - x0, fy = p.Y - y0;
        var values = new double[2];
        var data = field[b].data<float>(); // [2, h, w] of sample b, contiguous
        for (int c = 0; c < 2; c++)
        {
            double V(int y, int x) => data[(c * h + y) * w + x];
            values[c] = (1 - fy) * ((1 - fx) * V(y0, x0) + fx * V(y0, x0 + 1)) + fy * ((1 - fx) * V(y0 + 1, x0) + fx * V(y0 + 1, x0 + 1));
        }
        return (values[0], values[1]);
    }
}
