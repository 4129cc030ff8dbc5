namespace Dsa.Nn;

/// <summary>
/// Everything that defines a DSA network. Defaults equal the paper (DSA-READING.md); every ablation
/// row of Tables 4 and 5 is a difference from these defaults (see <see cref="Ablations"/>), and the
/// single-frame baseline is <c>SupportOffsets = []</c>.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The backbone (HRNet-W48 in the paper).</summary>
    public HrnetConfig Backbone { get; init; } = HrnetConfig.W48(15);

    /// <summary>Network input height; the official HRNet needs a multiple of 32 (paper: 384).</summary>
    public int InputHeight { get; init; } = 384;

    /// <summary>Network input width; a multiple of 32 (paper: 288).</summary>
    public int InputWidth { get; init; } = 288;

    /// <summary>Number of heatmaps J (paper: the 15 PoseTrack joints).</summary>
    public int Joints { get; init; } = 15;

    /// <summary>
    /// Frame offsets of the supporting frames relative to the key frame t. The paper's text says
    /// "(-1, -1, 1, 2)"; we read it as (-2, -1, +1, +2) (DSA-READING.md). Empty = single-frame baseline.
    /// </summary>
    public IReadOnlyList<int> SupportOffsets { get; init; } = new[] { -2, -1, 1, 2 };

    public AlignmentMode Alignment { get; init; } = AlignmentMode.SymmetricUNet;

    /// <summary>Global Alignment Block on (ablation "r/m GAB" = false).</summary>
    public bool UseGab { get; init; } = true;

    /// <summary>Local Enhancement Block on (ablation "r/m LEB" = false).</summary>
    public bool UseLeb { get; init; } = true;

    /// <summary>GAB details; <c>Deformable = false</c> is the ablation "GAB with regular convolution layer".</summary>
    public GabOptions Gab { get; init; } = new();

    public LebOptions Leb { get; init; } = new();

    /// <summary>Scales of the symmetric structure: 3 = heatmap resolution, 1/2 and 1/4 (our reading).</summary>
    public int AlignmentScales { get; init; } = 3;

    /// <summary>
    /// Our reading of the U-Net's "global-to-local" alignment of "large motions" (the paper does not say how scales pass
    /// motion on): the decoder carries each coarser level's displacement down, doubled, and warps the encoder's skip
    /// feature by it before the finer level aligns, so each finer GAB/LEB only learns what is left
    /// (<see cref="SymmetricAlignment"/>; as EDVR's pyramid and PWC-Net do). Off: the levels exchange features only.
    /// </summary>
    public bool CoarseToFine { get; init; }

    /// <summary>
    /// Our choice where the paper is silent (initialisation): every alignment module starts as the identity, so that at
    /// step 0 an aligner returns its supporting feature unchanged and DSA computes what "r/m alignment" computes; training
    /// then adds alignment to features the head already reads (the backbone's own). GAB's and LEB's kernels start as the
    /// identity (offsets 0, M and Q, k constant), and the U-Net's decoder adds its merge to the skip feature, the merge's
    /// last BatchNorm starting at zero (the zero-init residual of Goyal et al. 2017). Off: those kernels start random
    /// (PyTorch's Conv2d default), so the head first sees a random projection of the neighbours.
    /// </summary>
    public bool IdentityStart { get; init; }

    /// <summary>GAB+LEB stages of the cascade ablation: 3 stages = the paper's "six layers".</summary>
    public int CascadeStages { get; init; } = 3;

    /// <summary>
    /// Whether all supporting frames share one alignment module (the paper does not say; PoseWarper and
    /// DCPose share; so do we by default).
    /// </summary>
    public bool ShareAlignmentAcrossFrames { get; init; } = true;

    /// <summary>Residual blocks that aggregate [F_t, aligned F_t+d ...] (paper: "several residual blocks").</summary>
    public int FusionBlocks { get; init; } = 2;

    /// <summary>3x3 conv-BN-ReLU layers of the head before the final 3x3 conv to J heatmaps (paper: "a stack of 3x3 convolution layers").</summary>
    public int HeadLayers { get; init; } = 2;

    /// <summary>Keep the (pretrained) backbone fixed; the paper does not say (DCPose freezes it).</summary>
    public bool FreezeBackbone { get; init; }

    public int FrameCount => 1 + SupportOffsets.Count;

    public bool IsSingleFrame => SupportOffsets.Count == 0;

    /// <summary>Whether a forward pass needs the batch's annotated motion (ground-truth-flow alignment, a diagnostic).</summary>
    public bool NeedsAnnotatedMotion => Alignment is AlignmentMode.GroundTruthFlow or AlignmentMode.GroundTruthTranslation && !IsSingleFrame;

    /// <summary>
    /// How far each annotated joint's motion reaches when the ground-truth-flow diagnostics make a dense field of it, in
    /// heatmap pixels (a method, not a property: the translation's infinity has no JSON form). Dense field: 1/16 of the
    /// heatmap's larger side (2 px at cpu-small's 32x24, 6 px at the paper's 96x72), about the distance between
    /// neighbouring joints of a person filling the crop, so each limb moves with its own joints. Translation: infinite,
    /// every pixel gets the mean displacement of the person's labelled joints.
    /// </summary>
    public double AnnotatedFlowSigma() => Alignment switch
    {
        AlignmentMode.GroundTruthFlow => Math.Max(HeatmapSize.Height, HeatmapSize.Width) / 16.0,
        AlignmentMode.GroundTruthTranslation => double.PositiveInfinity,
        _ => throw new InvalidOperationException($"Alignment {Alignment} does not warp by the annotated motion."),
    };

    /// <summary>
    /// A diagnostic knob of the ground-truth rows, not in the paper: the standard deviation, in heatmap pixels per
    /// component, of Gaussian noise added to each annotated joint's displacement before the field is made
    /// (<see cref="Dsa.Data.Pipeline.JointMotionBatch.DenseFlow"/>). It asks how close to the true motion an alignment
    /// must come before it pays: the learned alignment's error is measured in the same pixels. The noise is fixed per
    /// sample, supporting frame and joint (the same at every epoch and at evaluation). 0: exact.
    /// </summary>
    public double AnnotatedFlowNoise { get; init; }

    /// <summary>Heatmap size = input / 4 (HRNet's stride).</summary>
    public (int Height, int Width) HeatmapSize => (InputHeight / 4, InputWidth / 4);

    /// <summary>Throws <see cref="ArgumentException"/> naming the field when the configuration cannot be built.</summary>
    public void Validate()
    {
        if (InputHeight <= 0 || InputWidth <= 0 || InputHeight % 32 != 0 || InputWidth % 32 != 0)
            throw new ArgumentException($"ModelConfig.InputHeight/InputWidth = {InputHeight}x{InputWidth}: HRNet needs sides that are positive multiples of 32 (e.g. 384x288, 256x192, 128x96).");
        if (Joints <= 0) throw new ArgumentException($"ModelConfig.Joints = {Joints} must be positive.");
        if (SupportOffsets.Contains(0)) throw new ArgumentException("ModelConfig.SupportOffsets must not contain 0 (the key frame is always frame 0).");
        if (!(AnnotatedFlowNoise >= 0) || double.IsInfinity(AnnotatedFlowNoise))
            throw new ArgumentException($"ModelConfig.AnnotatedFlowNoise = {AnnotatedFlowNoise}: must be finite and >= 0 (heatmap pixels).");
        if (SupportOffsets.Distinct().Count() != SupportOffsets.Count) throw new ArgumentException($"ModelConfig.SupportOffsets has duplicates: [{string.Join(", ", SupportOffsets)}].");
        if (AlignmentScales < 1) throw new ArgumentException($"ModelConfig.AlignmentScales = {AlignmentScales} must be >= 1.");
        var (h, w) = HeatmapSize;
        if ((h >> (AlignmentScales - 1)) < 2 || (w >> (AlignmentScales - 1)) < 2)
            throw new ArgumentException($"ModelConfig.AlignmentScales = {AlignmentScales} is too many for a {h}x{w} heatmap.");
        if (CascadeStages < 1) throw new ArgumentException($"ModelConfig.CascadeStages = {CascadeStages} must be >= 1.");
        if (FusionBlocks < 0 || HeadLayers < 0) throw new ArgumentException("ModelConfig.FusionBlocks and HeadLayers must be >= 0.");
        // Bounds far beyond any pose network (the paper: 384x288, 4 supporting frames, 15 joints), so
        // that a config read from a file cannot ask for a model or activations of terabytes.
        if (InputHeight > MaxInputSide || InputWidth > MaxInputSide)
            throw new ArgumentException($"ModelConfig.InputHeight/InputWidth = {InputHeight}x{InputWidth}: sides above {MaxInputSide} are not supported.");
        if (Joints > MaxJoints) throw new ArgumentException($"ModelConfig.Joints = {Joints} is more than {MaxJoints}.");
        if (SupportOffsets.Count > MaxSupportFrames || SupportOffsets.Any(o => Math.Abs(o) > MaxSupportOffset))
            throw new ArgumentException($"ModelConfig.SupportOffsets [{string.Join(", ", SupportOffsets)}]: at most {MaxSupportFrames} offsets within +-{MaxSupportOffset} frames.");
    }

    private const int MaxInputSide = 4096, MaxJoints = 1000, MaxSupportFrames = 32, MaxSupportOffset = 1000;

    /// <summary>
    /// A lower bound on the network's parameter count, computed from the config without building it:
    /// the 3x3 convolutions of the stem, of every residual block (HRNet's stages, layer1, the head's
    /// fusion blocks), of the head layers and of the alignment stages (GAB's deformable and LEB's
    /// adaptive convolution), plus the head's 1x1 reduction. Biases, BatchNorms, fuse layers and
    /// transitions are left out. A checkpoint must hold every parameter, so a config whose bound is
    /// larger than the checkpoint's weights is refused before anything is allocated.
    /// </summary>
    public double MinimumParameterCount()
    {
        var hrnet = Backbone;
        double stem = hrnet.StemChannels;
        double count = 27 * stem + 9 * stem * stem + hrnet.Layer1Blocks * 9 * stem * stem;
        foreach (var stage in hrnet.Stages)
            for (int b = 0; b < stage.NumBranches && b < stage.NumChannels.Count && b < stage.NumBlocks.Count; b++)
            {
                double c = stage.NumChannels[b];
                count += (double)stage.NumModules * stage.NumBlocks[b] * (stage.Block == HrnetBlockType.Basic ? 18 : 9) * c * c;
            }
        double features = hrnet.Stage4.NumChannels.Count > 0 ? hrnet.Stage4.NumChannels[0] : 0;
        double perFeature = features * features;
        count += FrameCount * perFeature + (18.0 * FusionBlocks + 9.0 * HeadLayers) * perFeature + 9.0 * Joints * features;
        if (!IsSingleFrame && Alignment != AlignmentMode.None && (UseGab || UseLeb))
        {
            double aligners = ShareAlignmentAcrossFrames ? 1 : SupportOffsets.Count;
            double stages = Alignment == AlignmentMode.SymmetricUNet ? 2.0 * AlignmentScales - 1 : CascadeStages;
            count += aligners * stages * 9 * perFeature;
        }
        return count;
    }
}
