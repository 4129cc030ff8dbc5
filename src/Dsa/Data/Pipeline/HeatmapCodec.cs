using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Data.Pipeline;

/// <summary>
/// Joints &lt;-&gt; Gaussian heatmaps in one type (MMPose's MSRAHeatmap codec idea). Encoding is HRNet's
/// generate_target: a Gaussian of standard deviation <see cref="Sigma"/> heatmap pixels, peak 1, cut off
/// at 3 sigma; the joint's weight is its visibility and 0 when the whole 3-sigma window lies outside the
/// heatmap. Decoding is HRNet's get_final_preds (argmax, then a quarter pixel toward the higher
/// neighbour) or, with <see cref="UseDark"/>, DARK's second-order Taylor refinement on the log of the
/// Gaussian-blurred heatmap (Zhang et al. CVPR 2020; MMPose refine_keypoints_dark). Coordinates map
/// between the network input and the heatmap by the stride input/heatmap (heatmap x = input x / stride).
/// </summary>
public sealed class HeatmapCodec
{
    public int InputWidth { get; }
    public int InputHeight { get; }
    public int HeatmapWidth { get; }
    public int HeatmapHeight { get; }
    public double Sigma { get; }
    /// <summary>False (HRNet): the Gaussian is centred on the rounded heatmap pixel, so its peak is exactly 1.
    /// True (MMPose unbiased / DARK encoding): centred at the exact sub-pixel position.</summary>
    public bool SubpixelCentre { get; }
    public bool UseDark { get; }
    /// <summary>DARK's blur kernel size (MMPose: 11 for sigma 2); the blur sigma follows OpenCV's rule for sigma 0.</summary>
    public int DarkKernelSize { get; }

    public HeatmapCodec(int inputWidth, int inputHeight, int heatmapWidth, int heatmapHeight, double sigma = 2.0,
        bool subpixelCentre = false, bool useDark = false, int darkKernelSize = 11)
    {
        if (inputWidth <= 0 || inputHeight <= 0 || heatmapWidth <= 0 || heatmapHeight <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputWidth), "input and heatmap sizes must be positive");
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "must be positive");
        if (darkKernelSize < 3 || darkKernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(darkKernelSize), darkKernelSize, "must be odd and at least 3");
        (InputWidth, InputHeight, HeatmapWidth, HeatmapHeight) = (inputWidth, inputHeight, heatmapWidth, heatmapHeight);
        (Sigma, SubpixelCentre, UseDark, DarkKernelSize) = (sigma, subpixelCentre, useDark, darkKernelSize);
    }

    /// <summary>The codec for an input size with heatmaps at a quarter resolution (HRNet: 384x288 -&gt; 96x72).</summary>
    public static HeatmapCodec ForInput(int inputWidth, int inputHeight, double sigma = 2.0, bool useDark = false) =>
        new(inputWidth, inputHeight, inputWidth / 4, inputHeight / 4, sigma, subpixelCentre: useDark, useDark: useDark);

    public double StrideX => (double)InputWidth / HeatmapWidth;
    public double StrideY => (double)InputHeight / HeatmapHeight;

    /// <summary>
    /// Writes the target heatmaps [J, h, w] and weights [J] for joints given in network-input pixels.
    /// </summary>
    /// <param name="joints">Joint positions in input (crop) pixels.</param>
    /// <param name="visibility">Per joint, 0 (not annotated) or 1 (HRNet's target_weight before the window test).</param>
    /// <param name="target">Output, length J * h * w, overwritten.</param>
    /// <param name="weights">Output, length J.</param>
    public void Encode(ReadOnlySpan<(double X, double Y)> joints, ReadOnlySpan<float> visibility, Span<float> target, Span<float> weights)
    {
        int j = joints.Length, w = HeatmapWidth, h = HeatmapHeight;
        if (visibility.Length != j || weights.Length != j || target.Length != j * w * h)
            throw new ArgumentException($"Encode: {j} joints need {j} visibilities, {j} weights and a target of {j * w * h}; " +
                $"got {visibility.Length}, {weights.Length}, {target.Length}.");
        target.Clear();
        double radius = 3 * Sigma;
        double twoSigmaSq = 2 * Sigma * Sigma;
        for (int k = 0; k < j; k++)
        {
            weights[k] = visibility[k] > 0 ? 1f : 0f;
            if (weights[k] == 0) continue;
            double hx = joints[k].X / StrideX, hy = joints[k].Y / StrideY;
            if (!double.IsFinite(hx) || !double.IsFinite(hy)) { weights[k] = 0; continue; }
            // HRNet: mu = int(x / stride + 0.5); window [mu - 3 sigma, mu + 3 sigma + 1).
            double mx = SubpixelCentre ? hx : Math.Floor(hx + 0.5), my = SubpixelCentre ? hy : Math.Floor(hy + 0.5);
            int ulx = (int)Math.Floor(Math.Floor(hx + 0.5) - radius), uly = (int)Math.Floor(Math.Floor(hy + 0.5) - radius);
            int brx = (int)Math.Floor(Math.Floor(hx + 0.5) + radius + 1), bry = (int)Math.Floor(Math.Floor(hy + 0.5) + radius + 1);
            if (ulx >= w || uly >= h || brx < 0 || bry < 0) { weights[k] = 0; continue; }
            var plane = target.Slice(k * w * h, w * h);
            for (int y = Math.Max(0, uly); y < Math.Min(h, bry); y++)
            for (int x = Math.Max(0, ulx); x < Math.Min(w, brx); x++)
            {
                double dx = x - mx, dy = y - my;
                plane[y * w + x] = (float)Math.Exp(-(dx * dx + dy * dy) / twoSigmaSq);
            }
        }
    }

    /// <summary>Encode into new arrays: target [J, h, w] and weights [J].</summary>
    public (float[] Target, float[] Weights) Encode(ReadOnlySpan<(double X, double Y)> joints, ReadOnlySpan<float> visibility)
    {
        var target = new float[joints.Length * HeatmapWidth * HeatmapHeight];
        var weights = new float[joints.Length];
        Encode(joints, visibility, target, weights);
        return (target, weights);
    }

    /// <summary>
    /// Decodes heatmaps [B, J, h, w]; each item's joints go through its input-to-image transform's
    /// inverse (pass the crop's image-&gt;input affine, i.e. what the sample was warped with), or stay in
    /// input pixels when <paramref name="imageToInput"/> is null.
    /// </summary>
    public DecodedJoint[][] Decode(Tensor heatmaps, IReadOnlyList<AffineTransform>? imageToInput = null)
    {
        if (heatmaps.dim() != 4 || heatmaps.shape[2] != HeatmapHeight || heatmaps.shape[3] != HeatmapWidth)
            throw new ArgumentException($"Decode expects heatmaps [B, J, {HeatmapHeight}, {HeatmapWidth}]; got [{string.Join(", ", heatmaps.shape)}].");
        int b = (int)heatmaps.shape[0], j = (int)heatmaps.shape[1];
        if (imageToInput is not null && imageToInput.Count != b)
            throw new ArgumentException($"Decode got {imageToInput.Count} transforms for a batch of {b}.");
        using var scope = torch.NewDisposeScope();
        float[] data = heatmaps.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var result = new DecodedJoint[b][];
        for (int i = 0; i < b; i++)
            result[i] = Decode(data.AsSpan(i * j * HeatmapHeight * HeatmapWidth, j * HeatmapHeight * HeatmapWidth), j,
                imageToInput?[i].Inverse());
        return result;
    }

    /// <summary>Decodes one item's heatmaps [J, h, w]; <paramref name="inputToImage"/> maps input pixels to image pixels.</summary>
    public DecodedJoint[] Decode(ReadOnlySpan<float> heatmaps, int jointCount, AffineTransform? inputToImage = null)
    {
        int w = HeatmapWidth, h = HeatmapHeight, plane = w * h;
        if (heatmaps.Length != jointCount * plane)
            throw new ArgumentException($"Decode: {jointCount} heatmaps of {h}x{w} need {jointCount * plane} values; got {heatmaps.Length}.");
        var result = new DecodedJoint[jointCount];
        for (int k = 0; k < jointCount; k++)
        {
            var hm = heatmaps.Slice(k * plane, plane);
            int best = 0;
            float maxVal = float.NegativeInfinity;
            for (int i = 0; i < plane; i++)
                if (hm[i] > maxVal) { maxVal = hm[i]; best = i; }
            int px = best % w, py = best / w;
            double x = px, y = py;
            if (UseDark) (x, y) = DarkRefine(hm, px, py);
            else if (px > 1 && px < w - 1 && py > 1 && py < h - 1)
            {
                // get_final_preds: a quarter pixel toward the higher neighbour on each axis.
                x += 0.25 * Math.Sign(hm[py * w + px + 1] - hm[py * w + px - 1]);
                y += 0.25 * Math.Sign(hm[(py + 1) * w + px] - hm[(py - 1) * w + px]);
            }
            // HRNet masks predictions whose maximum is not positive to (0, 0) before the transform.
            if (!(maxVal > 0)) (x, y) = (0, 0);
            var (ix, iy) = (x * StrideX, y * StrideY);
            if (inputToImage is { } t) (ix, iy) = t.Apply(ix, iy);
            result[k] = new DecodedJoint(ix, iy, maxVal);
        }
        return result;
    }

    /// <summary>
    /// DARK: blur the heatmap (Gaussian, kernel <see cref="DarkKernelSize"/>, rescaled to keep its maximum),
    /// take the log, and step -H^-1 g from the argmax using central differences (edge-clamped, as MMPose's
    /// edge padding).
    /// </summary>
    private (double X, double Y) DarkRefine(ReadOnlySpan<float> hm, int px, int py)
    {
        int w = HeatmapWidth, h = HeatmapHeight;
        var blurred = GaussianBlur(hm, w, h, DarkKernelSize);
        for (int i = 0; i < blurred.Length; i++) blurred[i] = Math.Log(Math.Clamp(blurred[i], 1e-3, 50.0));
        double L(int x, int y) => blurred[Math.Clamp(y, 0, h - 1) * w + Math.Clamp(x, 0, w - 1)];
        double dx = 0.5 * (L(px + 1, py) - L(px - 1, py));
        double dy = 0.5 * (L(px, py + 1) - L(px, py - 1));
        double dxx = 0.25 * (L(px + 2, py) - 2 * L(px, py) + L(px - 2, py));
        double dyy = 0.25 * (L(px, py + 2) - 2 * L(px, py) + L(px, py - 2));
        double dxy = 0.25 * (L(px + 1, py + 1) - L(px - 1, py + 1) - L(px + 1, py - 1) + L(px - 1, py - 1));
        double det = dxx * dyy - dxy * dxy;
        if (Math.Abs(det) < 1e-12) return (px, py);
        // offset = -H^-1 g
        double ox = -(dyy * dx - dxy * dy) / det, oy = -(-dxy * dx + dxx * dy) / det;
        return (px + ox, py + oy);
    }

    /// <summary>
    /// Separable Gaussian blur keeping the maximum, as DARK's / MMPose's gaussian_blur: the heatmap is padded
    /// with (k - 1) / 2 zeros, blurred by OpenCV GaussianBlur with sigma 0 (sigma = 0.3 ((k - 1) / 2 - 1) + 0.8),
    /// cropped back and rescaled to its original maximum. Zero padding means values beyond the border are 0.
    /// </summary>
    private static double[] GaussianBlur(ReadOnlySpan<float> hm, int w, int h, int kernelSize)
    {
        double sigma = 0.3 * ((kernelSize - 1) * 0.5 - 1) + 0.8;
        int r = kernelSize / 2;
        var kernel = new double[kernelSize];
        double sum = 0;
        for (int i = 0; i < kernelSize; i++) { kernel[i] = Math.Exp(-(i - r) * (i - r) / (2 * sigma * sigma)); sum += kernel[i]; }
        for (int i = 0; i < kernelSize; i++) kernel[i] /= sum;
        var tmp = new double[w * h];
        var output = new double[w * h];
        double origMax = double.NegativeInfinity;
        for (int i = 0; i < hm.Length; i++) origMax = Math.Max(origMax, hm[i]);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            double s = 0;
            for (int k = Math.Max(-r, -x); k <= Math.Min(r, w - 1 - x); k++) s += kernel[k + r] * hm[y * w + x + k];
            tmp[y * w + x] = s;
        }
        double newMax = double.NegativeInfinity;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            double s = 0;
            for (int k = Math.Max(-r, -y); k <= Math.Min(r, h - 1 - y); k++) s += kernel[k + r] * tmp[(y + k) * w + x];
            output[y * w + x] = s;
            newMax = Math.Max(newMax, s);
        }
        if (newMax > 0)
            for (int i = 0; i < output.Length; i++) output[i] *= origMax / newMax;
        return output;
    }
}
