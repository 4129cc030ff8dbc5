using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// Backward warping of a feature map by a dense displacement field: out(p) = F(p + flow(p)), bilinear, zero outside,
/// pixel centres at integer coordinates (as the heatmap codec's joints and torchvision's deformable offsets).
/// With flow = the key frame's motion to a supporting frame, it brings that frame's features to the key frame.
/// </summary>
public static class FlowWarp
{
    /// <summary>features [B, C, h, w], flow [B, 2 (dy, dx), h, w] in pixels -> warped [B, C, h, w].</summary>
    public static Tensor Warp(Tensor features, Tensor flow)
    {
        if (features.dim() != 4 || flow.dim() != 4 || flow.shape[1] != 2 || flow.shape[0] != features.shape[0]
            || flow.shape[2] != features.shape[2] || flow.shape[3] != features.shape[3])
            throw new ArgumentException($"FlowWarp needs features [B, C, h, w] and flow [B, 2, h, w] of the same B, h, w; got " +
                $"[{string.Join(", ", features.shape)}] and [{string.Join(", ", flow.shape)}].");
        using var scope = NewDisposeScope();
        long h = features.shape[2], w = features.shape[3];
        var ys = arange(h, dtype: flow.dtype, device: flow.device).view(1, h, 1);           // [1, h, 1]
        var xs = arange(w, dtype: flow.dtype, device: flow.device).view(1, 1, w);           // [1, 1, w]
        var y = ys + flow.select(1, 0);                                                      // [B, h, w]
        var x = xs + flow.select(1, 1);
        // align_corners = true: -1 and +1 are the centres of the first and last pixel.
        var grid = stack([x * (2.0 / Math.Max(1, w - 1)) - 1, y * (2.0 / Math.Max(1, h - 1)) - 1], dim: -1); // [B, h, w, 2] (x, y)
        return nn.functional.grid_sample(features, grid, mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros,
            align_corners: true).MoveToOuterDisposeScope();
    }
}
