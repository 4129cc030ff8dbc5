using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Dsa.Nn;

/// <summary>
/// The modulated deformable convolution of DCNv2 (the <c>f(F_s, theta, M)</c> of the paper's eq. 2-3)
/// as a module owning its weight and bias; offsets and mask are inputs (predicted elsewhere).
/// Same parameter names and shapes as torchvision.ops.DeformConv2d: <c>weight</c>
/// [Cout, Cin/groups, kh, kw] and <c>bias</c> [Cout].
/// forward(input [N, Cin, H, W], offset [N, 2*og*kh*kw, Ho, Wo], mask [N, og*kh*kw, Ho, Wo] or null)
/// -> [N, Cout, Ho, Wo]; see <see cref="DeformConv.DeformConv2d"/> for the layout.
/// </summary>
public sealed class ModulatedDeformConv2d : Module<Tensor, Tensor, Tensor?, Tensor>
{
    // Field names are the state_dict names (RegisterComponents uses them).
#pragma warning disable IDE1006
    private readonly Parameter weight;
    private readonly Parameter? bias;
#pragma warning restore IDE1006

    public long InChannels { get; }
    public long OutChannels { get; }
    public (long H, long W) KernelSize { get; }
    public (long H, long W) Stride { get; }
    public (long H, long W) Padding { get; }
    public (long H, long W) Dilation { get; }
    public long Groups { get; }
    public long OffsetGroups { get; }

    /// <summary>[Cout, Cin/groups, kh, kw]</summary>
    public Parameter Weight => weight;

    /// <summary>[Cout], or null when built without bias.</summary>
    public Parameter? Bias => bias;

    /// <summary>
    /// Which code computes the convolution (default <see cref="DeformConvImplementation.Auto"/>: the fused CPU float32
    /// kernel where it applies); set it to time or check one implementation against the other.
    /// </summary>
    public DeformConvImplementation Implementation { get; set; } = DeformConvImplementation.Auto;

    public ModulatedDeformConv2d(string name, long inChannels, long outChannels, (long H, long W) kernelSize,
        (long H, long W)? stride = null, (long H, long W)? padding = null, (long H, long W)? dilation = null,
        long groups = 1, long offsetGroups = 1, bool bias = true) : base(name)
    {
        OneDnnConvolutions.EnsureConfigured(); // before the first convolution: see its remarks
        if (inChannels < 1 || outChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"{name}: channels must be positive (in {inChannels}, out {outChannels}).");
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{name}: groups ({groups}) must divide inChannels ({inChannels}) and outChannels ({outChannels}).", nameof(groups));
        if (offsetGroups < 1 || inChannels % offsetGroups != 0)
            throw new ArgumentException($"{name}: offsetGroups ({offsetGroups}) must divide inChannels ({inChannels}).", nameof(offsetGroups));
        if (kernelSize.H < 1 || kernelSize.W < 1)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"{name}: kernel size {kernelSize} must be at least 1x1.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? (1, 1);
        Padding = padding ?? (0, 0);
        Dilation = dilation ?? (1, 1);
        Groups = groups;
        OffsetGroups = offsetGroups;

        weight = new Parameter(torch.empty(outChannels, inChannels / groups, kernelSize.H, kernelSize.W)); // [Cout, Cin/G, kh, kw]
        this.bias = bias ? new Parameter(torch.empty(outChannels)) : null;                                  // [Cout]
        Conv2dInit.Reset(weight, this.bias);
        RegisterComponents();
    }

    /// <summary>Channels of the offset input: 2 * offsetGroups * kh * kw.</summary>
    public long OffsetChannels => 2 * OffsetGroups * KernelSize.H * KernelSize.W;

    /// <summary>Channels of the mask input: offsetGroups * kh * kw.</summary>
    public long MaskChannels => OffsetGroups * KernelSize.H * KernelSize.W;

    public override Tensor forward(Tensor input, Tensor offset, Tensor? mask)
    {
        if (offset.dim() == 4 && offset.shape[1] != OffsetChannels)
            throw new ArgumentException($"{GetName()}: offset must have {OffsetChannels} channels (2 * offsetGroups {OffsetGroups} * {KernelSize.H}x{KernelSize.W}); got shape [{string.Join(", ", offset.shape)}].", nameof(offset));
        if (input.dim() == 4 && input.shape[1] != InChannels)
            throw new ArgumentException($"{GetName()}: input must have {InChannels} channels; got shape [{string.Join(", ", input.shape)}].", nameof(input));
        return DeformConv.DeformConv2d(input, offset, weight, bias, mask, Stride, Padding, Dilation, Implementation);
    }
}
