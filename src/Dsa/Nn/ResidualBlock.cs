using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>ResNet's basic block (conv3x3-BN-ReLU-conv3x3-BN + identity, ReLU): the paper's "residual blocks" after concatenation.</summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;

    public ResidualBlock(string name, long channels) : base(name)
    {
        conv1 = nn.Conv2d(channels, channels, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(channels);
        conv2 = nn.Conv2d(channels, channels, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    // [B, C, h, w] -> [B, C, h, w]
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = bn2.call(conv2.call(nn.functional.relu(bn1.call(conv1.call(x)))));
        return nn.functional.relu(y + x).MoveToOuterDisposeScope();
    }
}
