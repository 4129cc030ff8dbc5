using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Dsa.Nn;

/// <summary>
/// The LEB's "adaptive convolution" (paper eq. 5-6): a 3x3 convolution (stride 1, padding 1) whose
/// nine sampling points at pixel q are not the regular grid R = {-1, 0, 1}^2 but its affine image
/// O^q = Q^q R + k^q, i.e. a deformable convolution whose offsets are constrained to an affine map.
/// No modulation mask (the paper has none).
/// </summary>
/// <remarks>
/// <para>Affine field layout, <c>affine</c> [B, 6, H, W], per pixel:
/// channel 0 = Q_yy, 1 = Q_yx, 2 = Q_xy, 3 = Q_xx, 4 = k_y, 5 = k_x, with (y, x) = (row, column) as in
/// torchvision's offsets. For tap r = (r_y, r_x) in {-1, 0, 1}^2 (row-major tap order, tap index
/// (r_y + 1) * 3 + (r_x + 1)) the sampling position is q + Q r + k, so its deformable-convolution
/// offset (relative to the regular position q + r) is (Q - I) r + k:
/// offset_y = (Q_yy - 1) r_y + Q_yx r_x + k_y, offset_x = Q_xy r_y + (Q_xx - 1) r_x + k_x.</para>
/// <para>Q = I, k = 0 gives the plain 3x3 convolution.</para>
/// </remarks>
public sealed class AdaptiveConv2d : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Parameter weight;
    private readonly Parameter? bias;
#pragma warning restore IDE1006

    /// <summary>[18, 6]: offset channel c = sum_m Map[c, m] * affine[m] + Shift[c] (see remarks).</summary>
    private static readonly float[] MapValues = BuildMap(out ShiftValues);
    private static readonly float[] ShiftValues;

    public long InChannels { get; }
    public long OutChannels { get; }

    /// <summary>[Cout, Cin, 3, 3]</summary>
    public Parameter Weight => weight;

    /// <summary>[Cout], or null when built without bias.</summary>
    public Parameter? Bias => bias;

    /// <summary>Which code computes the convolution (default: the fused CPU float32 kernel where it applies).</summary>
    public DeformConvImplementation Implementation { get; set; } = DeformConvImplementation.Auto;

    public AdaptiveConv2d(string name, long inChannels, long outChannels, bool bias = true) : base(name)
    {
        OneDnnConvolutions.EnsureConfigured(); // before the first convolution: see its remarks
        if (inChannels < 1 || outChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"{name}: channels must be positive (in {inChannels}, out {outChannels}).");
        InChannels = inChannels;
        OutChannels = outChannels;
        weight = new Parameter(torch.empty(outChannels, inChannels, 3, 3)); // [Cout, Cin, 3, 3]
        this.bias = bias ? new Parameter(torch.empty(outChannels)) : null; // [Cout]
        Conv2dInit.Reset(weight, this.bias);
        RegisterComponents();
    }

    /// <summary>input [B, Cin, H, W], affine [B, 6, H, W] -> [B, Cout, H, W].</summary>
    public override Tensor forward(Tensor input, Tensor affine)
    {
        if (input.dim() != 4 || input.shape[1] != InChannels)
            throw new ArgumentException($"{GetName()}: input must have shape [B, {InChannels}, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        if (affine.dim() != 4 || affine.shape[0] != input.shape[0] || affine.shape[1] != 6 || affine.shape[2] != input.shape[2] || affine.shape[3] != input.shape[3])
            throw new ArgumentException($"{GetName()}: affine must have shape [{input.shape[0]}, 6, {input.shape[2]}, {input.shape[3]}]; got [{string.Join(", ", affine.shape)}].", nameof(affine));
        using var offset = AffineToOffset(affine); // [B, 18, H, W]
        return DeformConv.DeformConv2d(input, offset, weight, bias, mask: null, stride: (1, 1), padding: (1, 1), dilation: (1, 1), Implementation);
    }

    /// <summary>
    /// The deformable-convolution offsets (torchvision layout, [B, 18, H, W]: row then column shift
    /// of each of the nine taps) of an affine field [B, 6, H, W] = [Q_yy, Q_yx, Q_xy, Q_xx, k_y, k_x]:
    /// offset of tap r = (Q - I) r + k. Differentiable in <paramref name="affine"/>.
    /// </summary>
    public static Tensor AffineToOffset(Tensor affine)
    {
        if (affine.dim() != 4 || affine.shape[1] != 6)
            throw new ArgumentException($"affine must have shape [B, 6, H, W] = [Q_yy, Q_yx, Q_xy, Q_xx, k_y, k_x]; got [{string.Join(", ", affine.shape)}].", nameof(affine));
        using var scope = torch.NewDisposeScope();
        var map = torch.tensor(MapValues, new long[] { 18, 6 }).to(affine.dtype, affine.device);   // [18, 6]
        var shift = torch.tensor(ShiftValues, new long[] { 1, 18, 1, 1 }).to(affine.dtype, affine.device); // [1, 18, 1, 1]
        var offset = torch.einsum("om,bmhw->bohw", map, affine) + shift;                            // [B, 18, H, W]
        return offset.MoveToOuterDisposeScope();
    }

    private static float[] BuildMap(out float[] shift)
    {
        var map = new float[18 * 6];
        shift = new float[18];
        for (int tap = 0; tap < 9; tap++)
        {
            int ry = tap / 3 - 1, rx = tap % 3 - 1;
            // offset_y = Q_yy r_y + Q_yx r_x + k_y - r_y
            map[(2 * tap) * 6 + 0] = ry;
            map[(2 * tap) * 6 + 1] = rx;
            map[(2 * tap) * 6 + 4] = 1;
            shift[2 * tap] = -ry;
            // offset_x = Q_xy r_y + Q_xx r_x + k_x - r_x
            map[(2 * tap + 1) * 6 + 2] = ry;
            map[(2 * tap + 1) * 6 + 3] = rx;
            map[(2 * tap + 1) * 6 + 5] = 1;
            shift[2 * tap + 1] = -rx;
        }
        return map;
    }
}
