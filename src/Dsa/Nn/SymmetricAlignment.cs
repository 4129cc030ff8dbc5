using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// The U-Net-like symmetric alignment (paper: GAB and LEB applied "for each scale separately",
/// "densely", "repeatedly", in a "symmetric U-Net-like architecture"). Our reading (DSA-READING.md):
/// <list type="bullet">
/// <item>Encoder, levels 0..S-1 (heatmap resolution, 1/2, 1/4): align the supporting feature to the
/// key feature of that level; the aligned feature and the key feature are each downsampled by a
/// stride-2 3x3 conv to the next level.</item>
/// <item>Decoder, levels S-2..0: upsample the coarser aligned feature (bilinear + 1x1 conv), concatenate
/// the encoder's aligned feature of the same level (skip connection), merge (1x1 conv), and align again
/// against that level's key feature.</item>
/// <item>Output: the decoder's full-resolution aligned feature.</item>
/// </list>
/// Channels stay C at every level (the backbone width), which keeps the block cheap at W48.
/// </summary>
public sealed class SymmetricAlignment : nn.Module<Tensor, Tensor, Tensor>, IFeatureAligner
{
    private readonly ModuleList<AlignmentStage> encoder = new();
    private readonly ModuleList<AlignmentStage> decoder = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> key_down = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> support_down = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> up = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> merge = new();
    private readonly int levels;

    public SymmetricAlignment(string name, long channels, ModelConfig config) : base(name)
    {
        levels = config.AlignmentScales;
        for (int s = 0; s < levels; s++)
            encoder.Add(new AlignmentStage($"enc{s}", channels, config));
        for (int s = 0; s < levels - 1; s++)
        {
            key_down.Add(Layers.ConvBnRelu(channels, channels, 3, stride: 2));
            support_down.Add(Layers.ConvBnRelu(channels, channels, 3, stride: 2));
            up.Add(Layers.ConvBnRelu(channels, channels, 1));
            merge.Add(Layers.ConvBnRelu(2 * channels, channels, 1));
            decoder.Add(new AlignmentStage($"dec{s}", channels, config));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor key, Tensor support) => Align(key, support);

    public Tensor Align(Tensor key, Tensor support, IList<AlignmentFields>? trace = null)
    {
        using var scope = NewDisposeScope();
        // Key pyramid: keys[s] [B, C, h/2^s, w/2^s]
        var keys = new Tensor[levels];
        keys[0] = key;
        for (int s = 1; s < levels; s++) keys[s] = key_down[s - 1].call(keys[s - 1]);

        var skips = new Tensor[levels];
        Tensor x = support;
        for (int s = 0; s < levels; s++)
        {
            if (s > 0) x = support_down[s - 1].call(skips[s - 1]);
            skips[s] = encoder[s].Forward(keys[s], x, trace, $"enc{s}", s);
        }

        Tensor d = skips[levels - 1];
        for (int s = levels - 2; s >= 0; s--)
        {
            var target = keys[s].shape;
            // Bilinear upsampling to the exact size of the finer level (odd sizes do not double exactly).
            var upsampled = up[s].call(nn.functional.interpolate(d, size: new[] { target[2], target[3] },
                mode: InterpolationMode.Bilinear, align_corners: false));
            var merged = merge[s].call(torch.cat(new[] { upsampled, skips[s] }, dim: 1));
            d = decoder[s].Forward(keys[s], merged, trace, $"dec{s}", s);
        }
        return d.MoveToOuterDisposeScope(); // [B, C, h, w]
    }
}
