namespace Dsa.Data.Pipeline;

/// <summary>
/// Turns a <see cref="VideoSample"/> into network inputs: box -&gt; crop (aspect ratio, 25 % padding),
/// one augmentation draw shared by every frame of the window, the same affine warp of the key frame
/// and all supporting frames (the paper: "the same crop is cut from every frame"), heatmap targets
/// for the key frame's joints. MMPose would call this the top-down pipeline
/// (GetBBoxCenterScale, RandomFlip, RandomHalfBody, RandomBBoxTransform, TopdownAffine, GenerateTarget).
/// </summary>
public sealed class TopDownPipeline
{
    public int InputWidth { get; }
    public int InputHeight { get; }
    public HeatmapCodec Codec { get; }
    public AugmentationConfig Augmentation { get; }
    public Skeleton Skeleton { get; }
    public double Padding { get; }
    /// <summary>Decoded frames shared across samples; null decodes every frame for every sample.</summary>
    public FrameCache? Cache { get; }

    public TopDownPipeline(HeatmapCodec codec, AugmentationConfig? augmentation = null, Skeleton? skeleton = null,
        double padding = CropGeometry.DefaultPadding, FrameCache? cache = null)
    {
        Cache = cache;
        Codec = codec;
        InputWidth = codec.InputWidth;
        InputHeight = codec.InputHeight;
        Augmentation = augmentation ?? new AugmentationConfig();
        Skeleton = skeleton ?? Skeleton.PoseTrack;
        Padding = padding;
    }

    public double AspectRatio => (double)InputWidth / InputHeight;

    /// <summary>The crop before augmentation: the sample's box fixed to the input's aspect ratio and enlarged by <see cref="Padding"/>.</summary>
    public CropGeometry CropFor(VideoSample sample)
    {
        try
        {
            return CropGeometry.FromBox(sample.Box, AspectRatio, Padding);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{sample.Describe()}: field 'box' is unusable: {e.Message}", e);
        }
    }

    /// <summary>
    /// Builds one sample. <paramref name="rng"/> null = evaluation (no augmentation); otherwise the draw
    /// comes from it, so a seeded Random reproduces the sample exactly.
    /// </summary>
    public EncodedSample Prepare(VideoSample sample, Random? rng)
    {
        int jointCount = Skeleton.Count;
        if (sample.Joints.Count != jointCount || sample.Visibility.Count != jointCount)
            throw new InvalidDataException($"{sample.Describe()}: expected {jointCount} joints, got {sample.Joints.Count} positions and {sample.Visibility.Count} visibilities.");
        var joints = sample.Joints.ToArray();
        var visibility = sample.Visibility.ToArray();
        for (int j = 0; j < jointCount; j++)
            if (visibility[j] > 0 && (!double.IsFinite(joints[j].X) || !double.IsFinite(joints[j].Y)))
                throw new InvalidDataException($"{sample.Describe()}: joint {Skeleton.Joints[j].Name} has a non-finite coordinate ({joints[j].X}, {joints[j].Y}).");
        var crop = CropFor(sample);

        int frameCount = sample.FramePaths.Count;
        int planeSize = 3 * InputWidth * InputHeight;
        var frames = new float[frameCount * planeSize]; // [T, 3, H, W]
        AffineTransform imageToInput = default;
        bool flip = false;
        int imageWidth = 0, imageHeight = 0;
        for (int t = 0; t < frameCount; t++)
        {
            var frame = Cache?.Get(sample.FramePaths[t], sample.Describe()) ?? AffineCrop.DecodeRgba(sample.FramePaths[t], sample.Describe());
            if (t == 0)
            {
                (imageWidth, imageHeight) = (frame.Width, frame.Height);
                if (rng is not null)
                {
                    var draw = PoseAugmentation.Sample(Augmentation, rng, crop, joints, visibility, AspectRatio, Skeleton);
                    crop = draw.Crop;
                    flip = draw.Flip;
                }
                imageToInput = crop.ToAffine(InputWidth, InputHeight);
                if (flip)
                {
                    // Flip the image first (x -> W - 1 - x), crop around the mirrored centre: HRNet's order.
                    crop = crop with { CentreX = imageWidth - 1 - crop.CentreX };
                    imageToInput = crop.ToAffine(InputWidth, InputHeight).After(PoseAugmentation.FlipTransform(imageWidth));
                    PoseAugmentation.FlipJoints(joints, visibility, imageWidth, Skeleton);
                }
            }
            else if (frame.Width != imageWidth || frame.Height != imageHeight)
                throw new InvalidDataException($"{sample.Describe()}: frame '{sample.FramePaths[t]}' is {frame.Width}x{frame.Height} " +
                    $"but the key frame '{sample.FramePaths[0]}' is {imageWidth}x{imageHeight}.");
            using var warped = AffineCrop.Warp(frame, imageToInput, InputWidth, InputHeight);
            AffineCrop.ToNormalizedChw(warped, frames.AsSpan(t * planeSize, planeSize));
        }

        // Joints were flipped in image space above; the crop's own affine takes them to input pixels.
        var cropOnly = crop.ToAffine(InputWidth, InputHeight);
        var inputJoints = new (double X, double Y)[jointCount];
        for (int j = 0; j < jointCount; j++) inputJoints[j] = cropOnly.Apply(joints[j]);
        var (target, weight) = Codec.Encode(inputJoints, visibility); // [J, h, w], [J]
        var meta = new SampleMeta(sample.Video, sample.KeyFrame, sample.Person, sample.TrackId, crop, flip, imageToInput,
            sample.BoxScore, imageWidth, imageHeight, sample.Box);
        return new EncodedSample(frames, target, weight, inputJoints, meta);
    }
}
