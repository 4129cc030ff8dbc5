namespace Dsa.Data.Pipeline;

/// <summary>
/// Draws one augmentation for a sample (the SAME for the key frame and all its supporting frames, as the
/// paper requires) and applies the joint side of it. Order as HRNet's JointsDataset.__getitem__: half-body
/// crop, then scale and rotation, then flip. The flip is folded into the crop's affine (x -&gt; W - 1 - x
/// before the crop) instead of flipping pixels, which is the same warp.
/// </summary>
public static class PoseAugmentation
{
    /// <summary>The drawn parameters: the final crop (centre, size, rotation) and whether to flip.</summary>
    public readonly record struct Draw(CropGeometry Crop, bool Flip);

    public static Draw Sample(AugmentationConfig config, Random rng, CropGeometry crop, ReadOnlySpan<(double X, double Y)> joints,
        ReadOnlySpan<float> visibility, double aspectRatio, Skeleton skeleton)
    {
        // Draw every variable in a fixed order whether or not it is used, so a config change does not reshuffle the others.
        double uHalf = rng.NextDouble(), uUpper = rng.NextDouble(), tScale = TruncatedNormal(rng), tRot = TruncatedNormal(rng);
        double uRot = rng.NextDouble(), uFlip = rng.NextDouble();

        int labelled = 0;
        foreach (var v in visibility) if (v > 0) labelled++;
        if (labelled > config.HalfBodyMinJoints && uHalf < config.HalfBodyProbability &&
            HalfBody(config, joints, visibility, uUpper < config.UpperBodyProbability, aspectRatio, skeleton) is { } half)
            crop = half;

        double s = 1 + config.ScaleFactor * tScale;
        double r = uRot < config.RotationProbability ? config.RotationFactor * tRot : 0;
        crop = crop with { Width = crop.Width * s, Height = crop.Height * s, RotationDegrees = r };
        return new Draw(crop, uFlip < config.FlipProbability);
    }

    /// <summary>
    /// HRNet's half_body_transform: keep the upper (or lower) body's labelled joints, box them, fix the
    /// aspect ratio and enlarge by 1.5; null when fewer than 2 such joints exist (HRNet returns None).
    /// The upper body is taken when preferred (see UpperBodyProbability) and it has more than 2 joints, else
    /// the lower body if it has more than 2, else the upper body.
    /// </summary>
    public static CropGeometry? HalfBody(AugmentationConfig config, ReadOnlySpan<(double X, double Y)> joints, ReadOnlySpan<float> visibility,
        bool preferUpper, double aspectRatio, Skeleton skeleton)
    {
        var upper = new List<(double X, double Y)>();
        var lower = new List<(double X, double Y)>();
        for (int j = 0; j < skeleton.Count && j < joints.Length; j++)
        {
            if (visibility[j] <= 0) continue;
            (config.UpperBodyJoints.Contains(j) ? upper : lower).Add(joints[j]);
        }
        var selected = preferUpper && upper.Count > 2 ? upper : lower.Count > 2 ? lower : upper;
        if (selected.Count < 2) return null;
        double x1 = selected.Min(p => p.X), x2 = selected.Max(p => p.X), y1 = selected.Min(p => p.Y), y2 = selected.Max(p => p.Y);
        double w = x2 - x1, h = y2 - y1;
        if (w <= 0 && h <= 0) return null;
        if (w > aspectRatio * h) h = w / aspectRatio; else w = h * aspectRatio;
        return new CropGeometry(selected.Average(p => p.X), selected.Average(p => p.Y), w * config.HalfBodyScale, h * config.HalfBodyScale);
    }

    /// <summary>HRNet's fliplr_joints: x -&gt; imageWidth - 1 - x, then left/right joints swap places.</summary>
    public static void FlipJoints(Span<(double X, double Y)> joints, Span<float> visibility, int imageWidth, Skeleton skeleton)
    {
        var perm = skeleton.FlipPermutation();
        var j0 = joints.ToArray();
        var v0 = visibility.ToArray();
        for (int j = 0; j < joints.Length; j++)
        {
            joints[perm[j]] = (imageWidth - 1 - j0[j].X, j0[j].Y);
            visibility[perm[j]] = v0[j];
        }
    }

    /// <summary>The image-space map of a horizontal flip (its own inverse).</summary>
    public static AffineTransform FlipTransform(int imageWidth) => new(-1, 0, imageWidth - 1, 0, 1, 0);

    /// <summary>A standard normal truncated to [-1, 1] (rejection sampling; MMPose uses scipy's truncnorm).</summary>
    private static double TruncatedNormal(Random rng)
    {
        while (true)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            if (z >= -1 && z <= 1) return z;
        }
    }
}
