using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// (Modulated) deformable convolution with exactly the semantics of
/// <c>torchvision.ops.deform_conv2d</c> (DCNv1 when no mask is given, DCNv2 otherwise), with the gradients with
/// respect to the input, offset, mask, weight and bias. Two implementations (<see cref="DeformConvImplementation"/>):
/// on CPU float32 torchvision's deformable im2col with its backward written out (<see cref="DeformConv2dFunction"/>),
/// elsewhere differentiable TorchSharp operations around one grid_sample, differentiated by autograd.
/// </summary>
/// <remarks>
/// Layout (torchvision's, see shared/fixtures/tensors/README.md section (a)): with K = kh*kw taps
/// numbered row-major (k = i*kw + j) and og offset groups, <c>offset[n, g*2K + 2k]</c> is the row (y)
/// shift and <c>offset[n, g*2K + 2k + 1]</c> the column (x) shift of tap k for the input-channel block
/// g (contiguous blocks of Cin/og channels), and <c>mask[n, g*K + k]</c> its modulation scalar.
/// Tap k of output pixel (oh, ow) samples the zero-padded input bilinearly at
/// y = oh*sh - ph + i*dh + offset_y, x = ow*sw - pw + j*dw + offset_x (pixel centres at integers),
/// which is what <c>grid_sample(bilinear, zeros, align_corners: true)</c> computes on the grid
/// gx = 2x/(W-1) - 1, gy = 2y/(H-1) - 1.
/// </remarks>
public static class DeformConv
{
    /// <summary>
    /// torchvision.ops.deform_conv2d. Weight groups are inferred as Cin / weight.shape[1] and offset
    /// groups as offset.shape[1] / (2*kh*kw), as torchvision does.
    /// </summary>
    /// <param name="input">[N, Cin, H, W]</param>
    /// <param name="offset">[N, 2*og*kh*kw, Ho, Wo]</param>
    /// <param name="weight">[Cout, Cin/groups, kh, kw]</param>
    /// <param name="bias">[Cout] or null (zero bias)</param>
    /// <param name="mask">[N, og*kh*kw, Ho, Wo] or null (every tap weighted 1, DCNv1)</param>
    /// <param name="stride">(sh, sw), default (1, 1)</param>
    /// <param name="padding">(ph, pw), default (0, 0)</param>
    /// <param name="dilation">(dh, dw), default (1, 1)</param>
    /// <param name="implementation">Which code computes it (<see cref="DeformConvImplementation"/>); the default picks
    /// the fused CPU float32 kernel where it applies. Asking for <see cref="DeformConvImplementation.Im2Col"/> elsewhere throws.</param>
    /// <returns>[N, Cout, Ho, Wo] with Ho = (H + 2ph - (dh(kh-1) + 1)) / sh + 1, likewise Wo.</returns>
    public static Tensor DeformConv2d(Tensor input, Tensor offset, Tensor weight, Tensor? bias = null, Tensor? mask = null,
        (long H, long W)? stride = null, (long H, long W)? padding = null, (long H, long W)? dilation = null,
        DeformConvImplementation implementation = DeformConvImplementation.Auto)
    {
        var (sh, sw) = stride ?? (1, 1);
        var (ph, pw) = padding ?? (0, 0);
        var (dh, dw) = dilation ?? (1, 1);
        var g = Validate(input, offset, weight, bias, mask, sh, sw, ph, pw, dh, dw);
        bool im2col = implementation switch
        {
            DeformConvImplementation.Auto => DeformConv2dFunction.Supports(input, g),
            DeformConvImplementation.GridSample => false,
            DeformConvImplementation.Im2Col => DeformConv2dFunction.Supports(input, g) ? true
                : throw new ArgumentException($"DeformConvImplementation.Im2Col computes CPU float32 only (with at least one image); input is {input.dtype} on {input.device}, shape {Shape(input)}.", nameof(implementation)),
            _ => throw new ArgumentOutOfRangeException(nameof(implementation), implementation, null),
        };
        return im2col
            ? DeformConv2dFunction.Apply(input, offset, mask, weight, bias, g)
            : GridSampleDeformConv2d(input, offset, weight, bias, mask, g);
    }

    /// <summary>
    /// <see cref="DeformConvImplementation.GridSample"/>: the sampling as one grid_sample over all taps, then the
    /// mask product and a grouped matmul, all differentiated by libtorch's autograd.
    /// </summary>
    private static Tensor GridSampleDeformConv2d(Tensor input, Tensor offset, Tensor weight, Tensor? bias, Tensor? mask, DeformConvGeometry g)
    {
        using var scope = torch.NewDisposeScope();
        long n = g.Batch, cin = g.InChannels, h = g.Height, w = g.Width;
        long cout = g.OutChannels, kh = g.KernelH, kw = g.KernelW, k = g.Taps;
        long og = g.OffsetGroups, groups = g.Groups, ho = g.OutHeight, wo = g.OutWidth;
        long sh = g.StrideH, sw = g.StrideW, ph = g.PadH, pw = g.PadW, dh = g.DilationH, dw = g.DilationW;

        // grid_sample's align_corners normalisation divides by (H-1) and (W-1). A zero row/column
        // appended after a size-1 dimension changes no sample (outside pixels read as 0 anyway, and
        // coordinates in pixel units are unchanged), so it makes those sizes valid.
        var image = input;
        if (h == 1 || w == 1)
        {
            image = torch.nn.functional.pad(input, new long[] { 0, w == 1 ? 1 : 0, 0, h == 1 ? 1 : 0 });
            h = image.shape[2];
            w = image.shape[3];
        }

        // Regular sampling positions of every tap, in input pixels: rows [K, Ho, 1], columns [K, 1, Wo].
        var tapRow = torch.arange(kh, ScalarType.Int64).repeat_interleave(kw);       // [K]  i of tap k
        var tapCol = torch.arange(kw, ScalarType.Int64).repeat(kh);                  // [K]  j of tap k
        var baseY = (torch.arange(ho, ScalarType.Int64) * sh - ph).view(1, ho, 1)
                    + (tapRow * dh).view(k, 1, 1);                                   // [K, Ho, 1]
        var baseX = (torch.arange(wo, ScalarType.Int64) * sw - pw).view(1, 1, wo)
                    + (tapCol * dw).view(k, 1, 1);                                   // [K, 1, Wo]
        baseY = baseY.to(input.dtype, input.device);
        baseX = baseX.to(input.dtype, input.device);

        var shifts = offset.reshape(n, og, k, 2, ho, wo);                               // [N, og, K, 2, Ho, Wo]
        var y = shifts.select(3, 0) + baseY;                                         // [N, og, K, Ho, Wo]
        var x = shifts.select(3, 1) + baseX;                                         // [N, og, K, Ho, Wo]
        var gy = y * (2.0 / (h - 1)) - 1.0;
        var gx = x * (2.0 / (w - 1)) - 1.0;
        // grid_sample wants (x, y) pairs; all K taps go into one call as K*Ho rows.
        var grid = torch.stack(new[] { gx, gy }, dim: -1).view(n * og, k * ho, wo, 2); // [N*og, K*Ho, Wo, 2]

        var blocks = image.reshape(n * og, cin / og, h, w);                          // [N*og, Cin/og, H, W]
        var sampled = torch.nn.functional.grid_sample(blocks, grid,
            mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros, align_corners: true)
            .view(n, og, cin / og, k, ho, wo);                                       // [N, og, Cin/og, K, Ho, Wo]
        if (mask is not null)
            sampled = sampled * mask.reshape(n, og, 1, k, ho, wo);

        // Columns per weight group, then one batched matmul: [G, Cout/G, Cin/G*K] x [N, G, Cin/G*K, Ho*Wo].
        var columns = sampled.reshape(n, groups, cin / groups * k, ho * wo);         // [N, G, Cin/G*K, L]
        var kernel = weight.reshape(groups, cout / groups, cin / groups * k);        // [G, Cout/G, Cin/G*K]
        var output = torch.matmul(kernel, columns).view(n, cout, ho, wo);            // [N, Cout, Ho, Wo]
        if (bias is not null)
            output = output + bias.view(1, cout, 1, 1);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sets <paramref name="implementation"/> on every deformable convolution in <paramref name="model"/> (GAB's
    /// <see cref="ModulatedDeformConv2d"/>, LEB's <see cref="AdaptiveConv2d"/>), e.g. to time one against the other.
    /// </summary>
    /// <returns>How many modules were set.</returns>
    public static int SetImplementation(torch.nn.Module model, DeformConvImplementation implementation)
    {
        int count = 0;
        foreach (var module in model.modules())
        {
            if (module is ModulatedDeformConv2d modulated) modulated.Implementation = implementation;
            else if (module is AdaptiveConv2d adaptive) adaptive.Implementation = implementation;
            else continue;
            count++;
        }
        return count;
    }

    /// <summary>Output spatial size of a convolution (torchvision's formula).</summary>
    public static (long H, long W) OutputSize((long H, long W) inputSize, (long H, long W) kernelSize,
        (long H, long W) stride, (long H, long W) padding, (long H, long W) dilation) =>
        ((inputSize.H + 2 * padding.H - (dilation.H * (kernelSize.H - 1) + 1)) / stride.H + 1,
         (inputSize.W + 2 * padding.W - (dilation.W * (kernelSize.W - 1) + 1)) / stride.W + 1);

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    private static DeformConvGeometry Validate(Tensor input, Tensor offset, Tensor weight, Tensor? bias, Tensor? mask,
        long sh, long sw, long ph, long pw, long dh, long dw)
    {
        if (sh < 1 || sw < 1) throw new ArgumentOutOfRangeException("stride", $"stride ({sh}, {sw}) must be >= 1.");
        if (ph < 0 || pw < 0) throw new ArgumentOutOfRangeException("padding", $"padding ({ph}, {pw}) must be >= 0.");
        if (dh < 1 || dw < 1) throw new ArgumentOutOfRangeException("dilation", $"dilation ({dh}, {dw}) must be >= 1.");
        if (input.dim() != 4)
            throw new ArgumentException($"input must have shape [N, Cin, H, W]; got {Shape(input)}.", nameof(input));
        if (weight.dim() != 4)
            throw new ArgumentException($"weight must have shape [Cout, Cin/groups, kh, kw]; got {Shape(weight)}.", nameof(weight));
        long n = input.shape[0], cin = input.shape[1], h = input.shape[2], w = input.shape[3];
        long cout = weight.shape[0], cinPerGroup = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3], k = kh * kw;
        if (cinPerGroup < 1 || cin % cinPerGroup != 0)
            throw new ArgumentException($"weight {Shape(weight)}: its dimension 1 ({cinPerGroup}) must divide the input channels ({cin}) of input {Shape(input)}.", nameof(weight));
        long groups = cin / cinPerGroup;
        if (cout < 1 || cout % groups != 0)
            throw new ArgumentException($"weight {Shape(weight)}: Cout ({cout}) must be a multiple of groups = Cin / weight.shape[1] = {groups}.", nameof(weight));
        if (kh < 1 || kw < 1)
            throw new ArgumentException($"weight {Shape(weight)}: kernel size must be at least 1x1.", nameof(weight));
        var (ho, wo) = OutputSize((h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw));
        if (ho < 1 || wo < 1)
            throw new ArgumentException($"input {Shape(input)} is too small for kernel {kh}x{kw} with padding ({ph}, {pw}) and dilation ({dh}, {dw}): output would be {ho}x{wo}.", nameof(input));

        if (offset.dim() != 4 || offset.shape[0] != n || offset.shape[2] != ho || offset.shape[3] != wo
            || offset.shape[1] == 0 || offset.shape[1] % (2 * k) != 0 || cin % (offset.shape[1] / (2 * k)) != 0)
            throw new ArgumentException(
                $"offset must have shape [N={n}, 2*og*kh*kw (og offset groups dividing Cin={cin}; {2 * k} per group), Ho={ho}, Wo={wo}], e.g. [{n}, {2 * k}, {ho}, {wo}]; got {Shape(offset)}.",
                nameof(offset));
        long og = offset.shape[1] / (2 * k);

        if (mask is not null && (mask.dim() != 4 || mask.shape[0] != n || mask.shape[1] != og * k || mask.shape[2] != ho || mask.shape[3] != wo))
            throw new ArgumentException($"mask must have shape [N, og*kh*kw, Ho, Wo] = [{n}, {og * k}, {ho}, {wo}] (og = {og} from offset {Shape(offset)}); got {Shape(mask)}.", nameof(mask));
        if (bias is not null && (bias.dim() != 1 || bias.shape[0] != cout))
            throw new ArgumentException($"bias must have shape [Cout] = [{cout}]; got {Shape(bias)}.", nameof(bias));
        foreach (var (t, name) in new[] { (offset, nameof(offset)), (weight, nameof(weight)), (mask, nameof(mask)), (bias, nameof(bias)) })
            if (t is not null && (t.dtype != input.dtype || t.device_type != input.device_type || t.device_index != input.device_index))
                throw new ArgumentException($"{name} is {t.dtype} on {t.device}; it must match input ({input.dtype} on {input.device}).", name);
        return new DeformConvGeometry(n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups, og, ho, wo);
    }
}
