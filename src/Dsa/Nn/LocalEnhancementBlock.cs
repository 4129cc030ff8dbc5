using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Dsa.Nn;

/// <summary>
/// The Local Enhancement Block (paper eq. 4-6): a per-pixel affine field (Q, k) = phi(F^_s, F_t)
/// steers an <see cref="AdaptiveConv2d"/> over the GAB-aligned support F^_s, whose nine sampling
/// points at q are q + Q R + k.
/// </summary>
/// <remarks>
/// phi (<c>affine_predictor</c>) = conv3x3(2C -> C, no bias) - BN - ReLU - conv3x3(C -> C, no bias) - BN -
/// ReLU - conv3x3(C -> 6) on F^_s (+) F_t. Choice: phi predicts the residual from the identity,
/// [Q - I, k] (channels [Q_yy - 1, Q_yx, Q_xy, Q_xx - 1, k_y, k_x]); the block adds I. With
/// <see cref="LebOptions.ZeroInit"/> the last conv is all zeros, so Q = I, k = 0 at start (a plain
/// 3x3 conv). Predicting the residual keeps the identity the "no change" point of the network output
/// (and of any weight decay). F_t is only a reference: it enters phi, no gradient is stopped.
/// </remarks>
public sealed class LocalEnhancementBlock : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Sequential affine_predictor;
    private readonly AdaptiveConv2d adaptive_conv;
#pragma warning restore IDE1006

    /// <summary>The identity affine field [Q_yy, Q_yx, Q_xy, Q_xx, k_y, k_x] = [1, 0, 0, 1, 0, 0].</summary>
    private static readonly float[] Identity = { 1, 0, 0, 1, 0, 0 };

    public long Channels { get; }
    public LebOptions Options { get; }

    /// <summary>The adaptive convolution of eq. 6.</summary>
    public AdaptiveConv2d AdaptiveConv => adaptive_conv;

    /// <param name="identityStart">Start the adaptive convolution as the identity (<see cref="ModelConfig.IdentityStart"/>):
    /// with Q = I and k = 0 at the start, the block returns F^_s unchanged.</param>
    public LocalEnhancementBlock(string name, long channels, LebOptions options, bool identityStart = false) : base(name)
    {
        OneDnnConvolutions.EnsureConfigured(); // before the first convolution: see its remarks
        ArgumentNullException.ThrowIfNull(options);
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), $"{name}: channels must be positive; got {channels}.");
        Channels = channels;
        Options = options;
        affine_predictor = Sequential(
            Conv2d(2 * channels, channels, 3, padding: 1, bias: false),
            BatchNorm2d(channels),
            ReLU(),
            Conv2d(channels, channels, 3, padding: 1, bias: false),
            BatchNorm2d(channels),
            ReLU(),
            Conv2d(channels, 6, 3, padding: 1));
        if (options.ZeroInit)
            Conv2dInit.ZeroLastConv(affine_predictor, 0.0);
        adaptive_conv = new AdaptiveConv2d("adaptive_conv", channels, channels);
        if (identityStart)
        {
            if (!options.ZeroInit)
                throw new ArgumentException($"{name}: an identity start needs LebOptions.ZeroInit (Q = I and k = 0 at the start).", nameof(options));
            Conv2dInit.Identity(adaptive_conv.Weight, adaptive_conv.Bias, 1.0);
        }
        RegisterComponents();
    }

    /// <summary>alignedSupport F^_s [B, C, H, W], key F_t [B, C, H, W] -> enhanced F-bar_s [B, C, H, W].</summary>
    /// <summary>The affine predictor phi's parameters.</summary>
    public IEnumerable<Parameter> PredictorParameters() => affine_predictor.parameters();

    public override Tensor forward(Tensor alignedSupport, Tensor key)
    {
        var (enhanced, affine) = ForwardWithFields(alignedSupport, key);
        affine.Dispose();
        return enhanced;
    }

    /// <summary>
    /// The enhanced support [B, C, H, W] and the affine field actually used, Affine [B, 6, H, W] =
    /// [Q_yy, Q_yx, Q_xy, Q_xx, k_y, k_x] (the identity already added).
    /// </summary>
    public (Tensor Enhanced, Tensor Affine) ForwardWithFields(Tensor alignedSupport, Tensor key)
    {
        if (alignedSupport.dim() != 4 || alignedSupport.shape[1] != Channels)
            throw new ArgumentException($"{GetName()}: alignedSupport must have shape [B, {Channels}, H, W]; got [{string.Join(", ", alignedSupport.shape)}].", nameof(alignedSupport));
        if (!key.shape.SequenceEqual(alignedSupport.shape))
            throw new ArgumentException($"{GetName()}: key must have the alignedSupport's shape [{string.Join(", ", alignedSupport.shape)}]; got [{string.Join(", ", key.shape)}].", nameof(key));
        Tensor affine;
        using (var scope = torch.NewDisposeScope())
        {
            var pair = torch.cat(new[] { alignedSupport, key }, dim: 1);                               // [B, 2C, H, W]
            var residual = affine_predictor.forward(pair);                                              // [B, 6, H, W]
            var identity = torch.tensor(Identity, new long[] { 1, 6, 1, 1 }).to(residual.dtype, residual.device);
            affine = (residual + identity).MoveToOuterDisposeScope();                                   // [B, 6, H, W]
        }
        var enhanced = adaptive_conv.forward(alignedSupport, affine);                                   // [B, C, H, W]
        return (enhanced, affine);
    }
}
