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
/// With <see cref="ModelConfig.CoarseToFine"/> the decoder also carries motion down. Every stage reports how far it moved
/// its input (<see cref="AlignmentStage.ForwardWithFlow"/>); the displacement the levels below s applied, upsampled
/// and scaled to level s, warps the encoder's skip feature of level s (<see cref="FlowWarp"/>) before it is merged,
/// so both halves of the merge sit where the key frame is and level s's GAB and LEB learn only the residual. A motion
/// of 6 px at the heatmap is 1.5 px at 1/4 scale, within a 3x3 GAB's reach; without the carry, the full-resolution
/// stages would have to find it on their own (measured: they do not).
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
    private readonly bool coarseToFine, identityStart;

    public SymmetricAlignment(string name, long channels, ModelConfig config) : base(name)
    {
        levels = config.AlignmentScales;
        coarseToFine = config.CoarseToFine;
        identityStart = config.IdentityStart;
        for (int s = 0; s < levels; s++)
            encoder.Add(new AlignmentStage($"enc{s}", channels, config));
        for (int s = 0; s < levels - 1; s++)
        {
            key_down.Add(Layers.ConvBnRelu(channels, channels, 3, stride: 2));
            support_down.Add(Layers.ConvBnRelu(channels, channels, 3, stride: 2));
            up.Add(Layers.ConvBnRelu(channels, channels, 1));
            var merging = Layers.ConvBnRelu(2 * channels, channels, 1);
            // Identity start: the decoder adds the merge to the skip, and the merge starts at zero (its BatchNorm's scale).
            if (config.IdentityStart) using (torch.no_grad()) merging.modules().OfType<TorchSharp.Modules.BatchNorm2d>().Single().weight!.zero_();
            merge.Add(merging);
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
        var encoderFlows = new Tensor[levels];
        Tensor x = support;
        for (int s = 0; s < levels; s++)
        {
            if (s > 0) x = support_down[s - 1].call(skips[s - 1]);
            if (coarseToFine) (skips[s], encoderFlows[s]) = encoder[s].ForwardWithFlow(keys[s], x, trace, $"enc{s}", s);
            else skips[s] = encoder[s].Forward(keys[s], x, trace, $"enc{s}", s);
        }

        Tensor d = skips[levels - 1];
        // With the carry: applied[s] = how far the path through levels s and below has moved the content since the
        // level-s encoder input, in level-s pixels [B, 2 (dy, dx), h_s, w_s].
        Tensor? applied = coarseToFine ? encoderFlows[levels - 1] : null;
        for (int s = levels - 2; s >= 0; s--)
        {
            var target = keys[s].shape;
            // Bilinear upsampling to the exact size of the finer level (odd sizes do not double exactly).
            var upsampled = up[s].call(nn.functional.interpolate(d, size: new[] { target[2], target[3] },
                mode: InterpolationMode.Bilinear, align_corners: false));
            var skip = skips[s];
            Tensor? carried = null;
            if (applied is not null)
            {
                carried = Upsample(applied, target[2], target[3]);                                 // [B, 2, h_s, w_s]
                skip = FlowWarp.Warp(skip, carried);
            }
            var merged = merge[s].call(torch.cat(new[] { upsampled, skip }, dim: 1));
            if (identityStart) merged = skip + merged;
            if (carried is not null)
            {
                (d, var residual) = decoder[s].ForwardWithFlow(keys[s], merged, trace, $"dec{s}", s);
                applied = carried + encoderFlows[s] + residual;
            }
            else d = decoder[s].Forward(keys[s], merged, trace, $"dec{s}", s);
        }
        if (applied is not null && trace is not null) trace.Add(AlignmentFields.Total(applied, trace));
        return d.MoveToOuterDisposeScope(); // [B, C, h, w]
    }

    /// <summary>A displacement field [B, 2 (dy, dx), h, w] at a finer size: values scaled by the size ratio of each axis.</summary>
    private static Tensor Upsample(Tensor flow, long height, long width)
    {
        var resized = nn.functional.interpolate(flow, size: new[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false);
        var scale = torch.tensor(new[] { (float)height / flow.shape[2], (float)width / flow.shape[3] }, dtype: flow.dtype, device: flow.device)
            .view(1, 2, 1, 1);
        return resized * scale;
    }
}
