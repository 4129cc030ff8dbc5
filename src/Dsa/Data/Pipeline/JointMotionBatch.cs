using static TorchSharp.torch;

namespace Dsa.Data.Pipeline;

/// <summary>
/// The annotated motion of one batch: for each sample, supporting frame and joint, the key joint's heatmap position
/// and its true displacement to that frame, through the crop the sample was prepared with (<see cref="JointMotion"/>).
/// Two diagnostics use it, neither in the paper: offset supervision (where GAB's offsets would point if they followed
/// the motion) and ground-truth-flow alignment (supporting features warped by <see cref="DenseFlow"/>).
/// </summary>
/// <param name="Positions">[B, S, J, 2]: (x, y) of the key joint in heatmap pixels.</param>
/// <param name="Displacements">[B, S, J, 2]: (dy, dx) to supporting frame s, heatmap pixels (GAB's offset layout).</param>
/// <param name="Mask">[B, S, J]: 1 where both frames label the joint and it lies on the heatmap.</param>
/// <param name="SampleKeys">Per sample, a number fixed by its video, key frame and person (what
/// <see cref="DenseFlow"/>'s noise is drawn from, so a sample gets the same noise at every epoch and at evaluation).</param>
public sealed record JointMotionBatch(Tensor Positions, Tensor Displacements, Tensor Mask, IReadOnlyList<ulong>? SampleKeys = null) : IDisposable
{
    /// <summary>The motion of <paramref name="samples"/> as prepared (<paramref name="meta"/>: their crops, flip included).</summary>
    public static JointMotionBatch Build(IReadOnlyList<VideoSample> samples, IReadOnlyList<SampleMeta> meta, JointMotion motion,
        IReadOnlyList<int> offsets, int joints, HeatmapCodec codec)
    {
        int b = samples.Count, s = offsets.Count;
        var positions = new float[b * s * joints * 2];
        var displacements = new float[positions.Length];
        var mask = new float[b * s * joints];
        for (int i = 0; i < b; i++)
            for (int f = 0; f < s; f++)
                foreach (var joint in motion.Displacements(samples[i], offsets[f], meta[i].ImageToInput).Joints)
                {
                    var (x, y) = joint.Key;
                    if (!(x >= 0 && y >= 0 && x <= codec.HeatmapWidth - 1 && y <= codec.HeatmapHeight - 1)) continue;
                    int at = (i * s + f) * joints + joint.Joint;
                    (positions[2 * at], positions[2 * at + 1]) = ((float)x, (float)y);
                    (displacements[2 * at], displacements[2 * at + 1]) = ((float)joint.Dy, (float)joint.Dx);
                    mask[at] = 1;
                }
        return new JointMotionBatch(tensor(positions, new long[] { b, s, joints, 2 }), tensor(displacements, new long[] { b, s, joints, 2 }),
            tensor(mask, new long[] { b, s, joints }), samples.Select(KeyOf).ToList());
    }

    /// <summary>FNV-1a over the sample's video name, key frame and person: stable across runs, machines and batch orders.</summary>
    private static ulong KeyOf(VideoSample sample)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in $"{sample.Video}/{sample.KeyFrame}/{sample.Person}") h = (h ^ c) * 1099511628211UL;
        return h;
    }

    /// <summary>
    /// A standard normal number fixed by (key, index): SplitMix64 of each, two uniforms, Box-Muller. Deterministic, so a
    /// noisy ground-truth row trains and evaluates on the same wrong motion whatever the threads or the batch order.
    /// </summary>
    internal static double StandardNormal(ulong key, long index)
    {
        static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        ulong a = Mix(key + 0x9E3779B97F4A7C15UL * (ulong)(2 * index + 1)), c = Mix(a ^ 0xD1B54A32D192ED03UL);
        double u1 = ((a >> 11) + 1) * (1.0 / 9007199254740993.0), u2 = (c >> 11) * (1.0 / 9007199254740992.0); // u1 in (0, 1]
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>[B, S, J, 2] displacements with noise of standard deviation <paramref name="noise"/> (heatmap px) added to
    /// each component, drawn per (sample, supporting frame, joint, component) by <see cref="StandardNormal"/>.</summary>
    private Tensor NoisyDisplacements(double noise)
    {
        var keys = SampleKeys ?? throw new InvalidOperationException("Noisy annotated motion needs the samples' keys; build the batch with JointMotionBatch.Build.");
        long perSample = Displacements.shape[1] * Displacements.shape[2] * Displacements.shape[3];
        var values = new float[keys.Count * perSample];
        for (int i = 0; i < keys.Count; i++)
            for (long k = 0; k < perSample; k++)
                values[i * perSample + k] = (float)(noise * StandardNormal(keys[i], k));
        using var added = tensor(values, Displacements.shape);
        return Displacements + added.to(Displacements.device);
    }

    /// <summary>
    /// A dense displacement field [B, S, 2 (dy, dx), h, w] from the labelled joints: at each pixel the average of the
    /// joints' displacements weighted by exp(-d^2 / 2 sigma^2) of the pixel's distance d to each key joint (normalised
    /// over the joints; far from every joint it tends to the nearest joint's; an infinite sigma gives every pixel the
    /// mean displacement). Zero where a (sample, frame) has no labelled joint. What the ground-truth-flow diagnostics
    /// warp the supporting features by (their sigma: ModelConfig.AnnotatedFlowSigma). With <paramref name="noise"/> &gt; 0
    /// each joint's displacement first gets Gaussian noise of that standard deviation per component (heatmap px;
    /// ModelConfig.AnnotatedFlowNoise): alignment that is right only up to that error.
    /// </summary>
    public Tensor DenseFlow(long height, long width, double sigma, double noise = 0)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The flow's smoothing length must be positive.");
        if (!(noise >= 0) || double.IsInfinity(noise)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "The motion's noise must be finite and >= 0.");
        double s = sigma;
        using var scope = NewDisposeScope();
        long b = Positions.shape[0], frames = Positions.shape[1], joints = Positions.shape[2];
        var ys = arange(height, dtype: ScalarType.Float32).view(1, 1, 1, height, 1);        // [1, 1, 1, h, 1]
        var xs = arange(width, dtype: ScalarType.Float32).view(1, 1, 1, 1, width);          // [1, 1, 1, 1, w]
        var px = Positions.select(3, 0).view(b, frames, joints, 1, 1);                      // [B, S, J, 1, 1]
        var py = Positions.select(3, 1).view(b, frames, joints, 1, 1);
        var d2 = (xs - px).pow(2) + (ys - py).pow(2);                                       // [B, S, J, h, w]
        // Softmax over the labelled joints of -d^2 / 2 sigma^2: the Gaussian weights, normalised, without underflow far away.
        var logits = (double.IsPositiveInfinity(s) ? d2 * 0 : -d2 / (2 * s * s)).masked_fill(Mask.view(b, frames, joints, 1, 1) == 0, float.NegativeInfinity);
        var weights = softmax(logits, dim: 2).nan_to_num(0.0);                              // [B, S, J, h, w]; no joint: 0
        var displacements = noise > 0 ? NoisyDisplacements(noise) : Displacements;         // [B, S, J, 2]
        var flow = (weights.unsqueeze(3) * displacements.view(b, frames, joints, 2, 1, 1)).sum(2); // [B, S, 2, h, w]
        return flow.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Positions.Dispose();
        Displacements.Dispose();
        Mask.Dispose();
    }
}
