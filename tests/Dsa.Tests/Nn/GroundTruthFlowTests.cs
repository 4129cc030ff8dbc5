using Dsa.Data.Pipeline;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using Dsa.Tests.Training;
using Dsa.Training;
using Dsa.Workflows;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

/// <summary>Ground-truth-flow alignment (a diagnostic): the warp, the dense field from the joints, the model row and a run.</summary>
public sealed class GroundTruthFlowTests : IClassFixture<TinySyntheticSet>
{
    private readonly TinySyntheticSet set;

    public GroundTruthFlowTests(TinySyntheticSet set) => this.set = set;

    [Fact]
    public void WarpingBySupportMotionBringsTheSupportOntoTheKey()
    {
        torch.manual_seed(4);
        var key = torch.randn(2, 3, 12, 10);                    // [B, C, h, w]
        // The support frame shows the key's content moved by (dy, dx) = (2, -3): support(p + d) = key(p).
        var support = torch.zeros_like(key);
        support[.., .., 2.., ..7] = key[.., .., ..10, 3..];
        var flow = torch.zeros(2, 2, 12, 10);
        flow[.., 0].fill_(2.0);
        flow[.., 1].fill_(-3.0);
        var warped = FlowWarp.Warp(support, flow);
        // Exact where p + d lies inside the support; zero (padding) elsewhere.
        Assert.True(warped[.., .., ..10, 3..].allclose(key[.., .., ..10, 3..], atol: 1e-6));
        Assert.Equal(0f, warped[.., .., 10.., ..].abs().max().item<float>());

        // A half-pixel flow interpolates bilinearly.
        var ramp = torch.arange(10, dtype: ScalarType.Float32).expand(1, 1, 12, 10).contiguous();
        var half = torch.zeros(1, 2, 12, 10);
        half[.., 1].fill_(0.5);
        Assert.True(FlowWarp.Warp(ramp, half)[.., .., .., ..9].allclose(ramp[.., .., .., ..9] + 0.5, atol: 1e-6));
        Assert.Throws<ArgumentException>(() => FlowWarp.Warp(key, torch.zeros(2, 3, 12, 10)));
    }

    [Fact]
    public void TheDenseFieldFollowsEachJointNearItAndVanishesWithoutJoints()
    {
        // B = 2, S = 1, J = 3. Sample 0: two labelled joints far apart with different motions; sample 1: none.
        var positions = torch.tensor(new float[] { 2, 2, 20, 28, 0, 0, 0, 0, 0, 0, 0, 0 }, [2, 1, 3, 2]);   // (x, y)
        var displacements = torch.tensor(new float[] { 1, -2, -3, 0.5f, 9, 9, 0, 0, 0, 0, 0, 0 }, [2, 1, 3, 2]); // (dy, dx)
        var mask = torch.tensor(new float[] { 1, 1, 0, 0, 0, 0 }, [2, 1, 3]);
        using var motion = new JointMotionBatch(positions, displacements, mask);
        var dense = Ablations.Get("ground-truth-flow").Apply(ModelPresets.CpuSmall);
        Assert.Equal(2.0, dense.AnnotatedFlowSigma());                                                // 1/16 of 32x24
        var flow = motion.DenseFlow(32, 24, dense.AnnotatedFlowSigma());                              // [2, 1, 2, 32, 24]
        Assert.Equal([2L, 1, 2, 32, 24], flow.shape);
        Assert.Equal(1f, flow[0, 0, 0, 2, 2].item<float>(), 4);    // at joint 0: its (dy, dx)
        Assert.Equal(-2f, flow[0, 0, 1, 2, 2].item<float>(), 4);
        Assert.Equal(-3f, flow[0, 0, 0, 28, 20].item<float>(), 4); // at joint 1: its own
        Assert.Equal(0.5f, flow[0, 0, 1, 28, 20].item<float>(), 4);
        Assert.Equal(0f, flow[1].abs().max().item<float>());       // no labelled joint: no motion (the unlabelled 9s are ignored)
        Assert.True(flow[0].isfinite().all().item<bool>());

        // The translation: every pixel moves by the mean of the labelled joints, (-1, -0.75).
        var translation = motion.DenseFlow(32, 24, Ablations.Get("ground-truth-translation").Apply(ModelPresets.CpuSmall).AnnotatedFlowSigma());
        Assert.True(translation[0, 0, 0].allclose(torch.full(32, 24, -1f), atol: 1e-6));
        Assert.True(translation[0, 0, 1].allclose(torch.full(32, 24, -0.75f), atol: 1e-6));
        Assert.Equal(0f, translation[1].abs().max().item<float>());
    }

    [Fact]
    public void NoisyMotionIsTheSameForTheSameSampleDifferentPerSampleAndOfTheAskedSize()
    {
        // B = 2 samples, S = 1, J = 1 joint, labelled in both; the translation's field is that joint's displacement.
        JointMotionBatch Batch(ulong first, ulong second) => new(torch.tensor(new float[] { 3, 4, 3, 4 }, [2, 1, 1, 2]),
            torch.tensor(new float[] { 1, -2, 1, -2 }, [2, 1, 1, 2]), torch.ones(2, 1, 1), new[] { first, second });
        using var motion = Batch(11, 12);
        double sigma = double.PositiveInfinity, noise = 0.75;
        var exact = motion.DenseFlow(8, 6, sigma);                                  // [2, 1, 2, 8, 6]
        var noisy = motion.DenseFlow(8, 6, sigma, noise);
        for (int i = 0; i < 2; i++)
            for (int c = 0; c < 2; c++)
            {
                double expected = (c == 0 ? 1 : -2) + noise * JointMotionBatch.StandardNormal((ulong)(11 + i), c);
                Assert.True(noisy[i, 0, c].allclose(torch.full(8, 6, (float)expected), atol: 1e-5), $"sample {i}, component {c}");
            }
        Assert.False(noisy[0].allclose(noisy[1]));                                  // each sample its own noise
        using (var again = Batch(11, 12)) Assert.True(again.DenseFlow(8, 6, sigma, noise).allclose(noisy, rtol: 0, atol: 0)); // fixed per sample
        Assert.True(motion.DenseFlow(8, 6, sigma, 0).allclose(exact, rtol: 0, atol: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => motion.DenseFlow(8, 6, sigma, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => motion.DenseFlow(8, 6, sigma, double.NaN));
        using (var keyless = new JointMotionBatch(motion.Positions.clone(), motion.Displacements.clone(), motion.Mask.clone()))
            Assert.Throws<InvalidOperationException>(() => keyless.DenseFlow(8, 6, sigma, noise));
        Assert.Contains("AnnotatedFlowNoise", Assert.Throws<ArgumentException>(() => (ModelPresets.CpuSmall with { AnnotatedFlowNoise = -0.5 }).Validate()).Message);
    }

    [Fact]
    public void TheNoiseIsStandardNormal()
    {
        // 40,000 draws from 200 keys: mean 0 and standard deviation 1 to within a few standard errors (deterministic draws).
        var draws = Enumerable.Range(0, 200).SelectMany(k => Enumerable.Range(0, 200).Select(i => JointMotionBatch.StandardNormal((ulong)k * 7919UL, i))).ToArray();
        double mean = draws.Average(), std = Math.Sqrt(draws.Sum(x => (x - mean) * (x - mean)) / (draws.Length - 1));
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(std, 0.98, 1.02);
        Assert.InRange(draws.Count(x => Math.Abs(x) < 1) / (double)draws.Length, 0.672, 0.693); // 68.3 % within one sigma
    }

    [Fact]
    public void TheRowIsUnalignedConcatenationWarpedByTheFlowAndRefusesToRunWithoutIt()
    {
        var row = Ablations.Get("ground-truth-flow").Apply(TinySyntheticSet.Model);
        Assert.True(row.NeedsAnnotatedMotion);
        Assert.DoesNotContain(Ablations.All, r => r.Key == "ground-truth-flow"); // not in "all": it is not a paper row
        torch.manual_seed(7);
        using var flowModel = new DsaNet("dsa", row);
        using var unaligned = new DsaNet("dsa", Ablations.Get("no-alignment").Apply(TinySyntheticSet.Model));
        unaligned.load_state_dict(flowModel.state_dict()); // the same parameters: no aligner in either
        flowModel.eval();
        unaligned.eval();
        using var _ = torch.no_grad();
        var (h, w) = row.HeatmapSize;
        var frames = torch.randn([2, row.FrameCount, 3, row.InputHeight, row.InputWidth]);
        var zero = torch.zeros([2, row.SupportOffsets.Count, 2, h, w]);
        Assert.True(flowModel.forward(frames, zero).allclose(unaligned.forward(frames), atol: 1e-5));
        var moved = zero.clone();
        moved[.., .., 1].fill_(1.5);
        Assert.False(flowModel.forward(frames, moved).allclose(unaligned.forward(frames), atol: 1e-4));
        var missing = Assert.Throws<ArgumentException>(() => flowModel.forward(frames));
        Assert.Contains("annotated motion", missing.Message);
        Assert.Throws<ArgumentException>(() => flowModel.forward(frames, torch.zeros([2, row.SupportOffsets.Count, 2, h + 1, w])));
    }

    [Fact]
    public void AGroundTruthFlowRunTrainsAndIsEvaluatedWithTheValidationMotion()
    {
        using var dir = new TempDir();
        var row = Ablations.Get("ground-truth-flow").Apply(TinySyntheticSet.Model);
        var result = Experiment.Run(new ExperimentSpec(Path.Combine(dir.Path, "run"), row, TinySyntheticSet.Train, set.Data));
        Assert.Equal(TrainingStatus.Completed, result.Outcome.Status);
        Assert.True(double.IsFinite(result.Validation.Total));
        // The offset report measures the field itself: at the joints it is their own motion, up to the other joints' pull.
        var offsets = result.Offsets!;
        Assert.Equal(AlignmentFields.TotalStage, offsets.Stage);
        Assert.Null(offsets.GabError);
        Assert.Equal(offsets.AlignerError!.Value, offsets.StageError, 9);
        Assert.True(offsets.StageError < 0.5 * offsets.TrueMotion, offsets.Summary);
    }
}
