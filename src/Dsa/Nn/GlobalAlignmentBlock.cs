using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Dsa.Nn;

/// <summary>
/// The Global Alignment Block (paper eq. 1-3): coarse alignment of a supporting feature F_s to the key
/// feature F_t by a modulated deformable convolution whose offsets theta and modulation M are
/// predicted from the pair.
/// theta = T_theta(F_t (+) F_s) [B, 2*og*9, H, W], M = T_M(F_t (+) F_s) [B, og*9, H, W],
/// F^_s = ModulatedDeformConv2d(F_s, theta, M) [B, C, H, W].
/// </summary>
/// <remarks>
/// T_theta and T_M ("two basic modules with 3x3 kernels, not sharing parameters") are
/// conv3x3(2C -> C, no bias) - BatchNorm - ReLU - conv3x3(C -> out, bias) each (DSA-READING.md choice).
/// Children: <c>offset_predictor</c>, <c>mask_predictor</c> (absent when
/// <see cref="GabOptions.Deformable"/> is false) and <c>align_conv</c> (C -> C, 3x3,
/// padding = dilation = <see cref="GabOptions.Dilation"/>). Offsets use torchvision's layout.
/// </remarks>
public sealed class GlobalAlignmentBlock : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Sequential? offset_predictor;
    private readonly Sequential? mask_predictor;
    private readonly ModulatedDeformConv2d align_conv;
#pragma warning restore IDE1006

    public long Channels { get; }
    public GabOptions Options { get; }

    /// <summary>The deformable convolution f(F_s, theta, M) of eq. 2-3.</summary>
    public ModulatedDeformConv2d AlignConv => align_conv;

    /// <param name="identityStart">Start the deformable convolution as the identity (<see cref="ModelConfig.IdentityStart"/>):
    /// its kernel passes each channel through, scaled by 1 / M at the start so that the block returns F_s unchanged.</param>
    public GlobalAlignmentBlock(string name, long channels, GabOptions options, bool identityStart = false) : base(name)
    {
        OneDnnConvolutions.EnsureConfigured(); // before the first convolution: see its remarks
        ArgumentNullException.ThrowIfNull(options);
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), $"{name}: channels must be positive; got {channels}.");
        if (options.OffsetGroups < 1 || channels % options.OffsetGroups != 0)
            throw new ArgumentException($"{name}: GabOptions.OffsetGroups ({options.OffsetGroups}) must divide channels ({channels}).", nameof(options));
        if (options.Dilation < 1)
            throw new ArgumentException($"{name}: GabOptions.Dilation must be >= 1; got {options.Dilation}.", nameof(options));
        Channels = channels;
        Options = options;
        long og = options.OffsetGroups, d = options.Dilation;

        align_conv = new ModulatedDeformConv2d("align_conv", channels, channels, (3, 3),
            stride: (1, 1), padding: (d, d), dilation: (d, d), offsetGroups: og);
        if (options.Deformable)
        {
            offset_predictor = Predictor(channels, align_conv.OffsetChannels);
            mask_predictor = Predictor(channels, align_conv.MaskChannels);
            if (options.ZeroInit)
            {
                Conv2dInit.ZeroLastConv(offset_predictor, 0.0);
                // M = sigmoid(0) = 0.5 at start; without the sigmoid start from M = 1 (see GabOptions).
                Conv2dInit.ZeroLastConv(mask_predictor, options.SigmoidMask ? 0.0 : 1.0);
            }
        }
        if (identityStart)
        {
            if (options.Deformable && !options.ZeroInit)
                throw new ArgumentException($"{name}: an identity start needs GabOptions.ZeroInit (offsets 0 and a constant mask at the start).", nameof(options));
            // The mask at the start: sigmoid(0) = 0.5, 1 without the sigmoid, 1 for the regular-convolution row.
            double mask = options.Deformable && options.SigmoidMask ? 0.5 : 1.0;
            Conv2dInit.Identity(align_conv.Weight, align_conv.Bias, 1.0 / mask);
        }
        RegisterComponents();
    }

    /// <summary>key F_t [B, C, H, W], support F_s [B, C, H, W] -> aligned F^_s [B, C, H, W].</summary>
    /// <summary>The offset and mask predictors' parameters (none for the regular-conv ablation row).</summary>
    public IEnumerable<Parameter> PredictorParameters() =>
        (offset_predictor?.parameters() ?? []).Concat(mask_predictor?.parameters() ?? []);

    public override Tensor forward(Tensor key, Tensor support)
    {
        var (aligned, offset, mask) = ForwardWithFields(key, support);
        offset.Dispose();
        mask.Dispose();
        return aligned;
    }

    /// <summary>
    /// The aligned support [B, C, H, W] plus the predicted fields for visualisation: Offset theta
    /// [B, 2*og*9, H, W] (torchvision layout: row shift then column shift per tap) and Mask M
    /// [B, og*9, H, W] (after the sigmoid when enabled). With Deformable = false they are zeros and ones.
    /// </summary>
    public (Tensor Aligned, Tensor Offset, Tensor Mask) ForwardWithFields(Tensor key, Tensor support)
    {
        CheckPair(key, support);
        long b = support.shape[0], h = support.shape[2], w = support.shape[3];
        if (offset_predictor is null || mask_predictor is null)
        {
            // Offsets 0 and M = 1: the deformable conv is exactly the regular convolution.
            var plain = torch.nn.functional.conv2d(support, align_conv.Weight, align_conv.Bias,
                strides: new[] { 1L, 1L }, padding: new[] { Options.Dilation, Options.Dilation },
                dilation: new[] { Options.Dilation, Options.Dilation });                    // [B, C, H, W]
            var zeros = torch.zeros(new[] { b, align_conv.OffsetChannels, h, w }, support.dtype, support.device); // [B, 2*og*9, H, W]
            var ones = torch.ones(new[] { b, align_conv.MaskChannels, h, w }, support.dtype, support.device);     // [B, og*9, H, W]
            return (plain, zeros, ones);
        }

        using var pair = torch.cat(new[] { key, support }, dim: 1);                        // [B, 2C, H, W]
        var offset = offset_predictor.forward(pair);                                        // [B, 2*og*9, H, W]
        var mask = mask_predictor.forward(pair);                                            // [B, og*9, H, W]
        if (Options.SigmoidMask)
        {
            var raw = mask;
            mask = torch.sigmoid(raw);
            raw.Dispose();
        }
        var aligned = align_conv.forward(support, offset, mask);                            // [B, C, H, W]
        return (aligned, offset, mask);
    }

    private void CheckPair(Tensor key, Tensor support)
    {
        if (support.dim() != 4 || support.shape[1] != Channels)
            throw new ArgumentException($"{GetName()}: support must have shape [B, {Channels}, H, W]; got [{string.Join(", ", support.shape)}].", nameof(support));
        if (!key.shape.SequenceEqual(support.shape))
            throw new ArgumentException($"{GetName()}: key must have the support's shape [{string.Join(", ", support.shape)}]; got [{string.Join(", ", key.shape)}].", nameof(key));
    }

    /// <summary>One transform T: conv3x3(2C -> C, no bias) - BN - ReLU - conv3x3(C -> outChannels).</summary>
    private static Sequential Predictor(long channels, long outChannels) => Sequential(
        Conv2d(2 * channels, channels, 3, padding: 1, bias: false),
        BatchNorm2d(channels),
        ReLU(),
        Conv2d(channels, outChannels, 3, padding: 1));
}
