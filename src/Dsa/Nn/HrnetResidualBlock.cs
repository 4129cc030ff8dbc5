using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Dsa.Nn;

/// <summary>
/// The official pose_hrnet.py BasicBlock (conv3x3-BN-ReLU-conv3x3-BN, + residual, ReLU; expansion 1)
/// and Bottleneck (conv1x1-BN-ReLU-conv3x3-BN-ReLU-conv1x1(4x)-BN, + residual, ReLU; expansion 4).
/// Submodule names (conv1, bn1, ..., downsample.0/1) are the official ones.
/// </summary>
internal sealed class HrnetResidualBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Conv2d? conv3;
    private readonly BatchNorm2d? bn3;
    private readonly Sequential? downsample;

    public static long Expansion(HrnetBlockType type) => type == HrnetBlockType.Bottleneck ? 4 : 1;

    /// <param name="inplanes">Input channels.</param>
    /// <param name="planes">Inner width; the block outputs planes x expansion channels.</param>
    public HrnetResidualBlock(string name, HrnetBlockType type, long inplanes, long planes) : base(name)
    {
        long outplanes = planes * Expansion(type);
        if (type == HrnetBlockType.Bottleneck)
        {
            conv1 = Conv2d(inplanes, planes, 1, bias: false);
            bn1 = BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
            bn2 = BatchNorm2d(planes);
            conv3 = Conv2d(planes, outplanes, 1, bias: false);
            bn3 = BatchNorm2d(outplanes);
        }
        else
        {
            conv1 = Conv2d(inplanes, planes, 3, padding: 1, bias: false);
            bn1 = BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
            bn2 = BatchNorm2d(planes);
        }
        // Official rule (stride is always 1 here): a projection only when the width changes.
        if (inplanes != outplanes)
            downsample = Sequential(Conv2d(inplanes, outplanes, 1, bias: false), BatchNorm2d(outplanes));

        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        if (conv3 is not null) register_module("conv3", conv3);
        if (bn3 is not null) register_module("bn3", bn3);
        if (downsample is not null) register_module("downsample", downsample);
    }

    public override Tensor forward(Tensor x) // [B, inplanes, H, W] -> [B, planes*expansion, H, W]
    {
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        if (conv3 is not null) y = bn3!.call(conv3.call(functional.relu(y)));
        var residual = downsample is null ? x : downsample.call(x);
        return functional.relu(y + residual);
    }
}
