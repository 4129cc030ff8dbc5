using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// Heatmap generation (paper, "Heatmap generation"): concatenate [F_t, aligned F_t+d ...] on channels,
/// aggregate with residual blocks, then "a stack of 3x3 convolution layers" outputs J heatmaps.
/// A 1x1 conv first brings the (1+T)*C concatenation back to C channels so the single-frame baseline
/// and DSA share the same head shape after it.
/// </summary>
public sealed class PoseHead : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> reduce;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> fusion = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> head = new();
    private readonly Conv2d final_layer;

    public PoseHead(string name, long inChannels, long channels, int joints, int fusionBlocks, int headLayers) : base(name)
    {
        OneDnnConvolutions.EnsureConfigured(); // before the first convolution: see its remarks
        reduce = Layers.ConvBnRelu(inChannels, channels, 1);
        for (int i = 0; i < fusionBlocks; i++) fusion.Add(new ResidualBlock($"fusion{i}", channels));
        for (int i = 0; i < headLayers; i++) head.Add(Layers.ConvBnRelu(channels, channels, 3));
        final_layer = nn.Conv2d(channels, joints, 3, padding: 1);
        RegisterComponents();
    }

    // [B, (1+T)*C, h, w] -> heatmaps [B, J, h, w]
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = reduce.call(x);
        foreach (var block in fusion) y = block.call(y);
        foreach (var layer in head) y = layer.call(y);
        return final_layer.call(y).MoveToOuterDisposeScope();
    }
}
