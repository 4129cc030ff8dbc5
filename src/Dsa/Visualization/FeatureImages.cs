using Dsa.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dsa.Visualization;

/// <summary>
/// Pictures of feature maps [C, h, w]: the first three principal components as RGB, and the
/// per-pixel distance between the key feature and a (supporting / aligned) feature. Feature
/// pixels become <c>scale</c>-pixel blocks (nearest neighbour; default 4 = the HRNet stride, so
/// the pictures line up with the crop).
/// </summary>
public static class FeatureImages
{
    /// <summary>Channel contrast is set by these percentiles of the scores, so a few outliers do not wash the picture out.</summary>
    public const double LowPercentile = 1, HighPercentile = 99;

    /// <summary>RGB = scores on the first 3 principal components of the C-dimensional pixel features.</summary>
    public static SKImage Pca(Tensor features, int scale = 4)
    {
        var (h, w) = SpatialSize(features, nameof(features));
        using var scope = NewDisposeScope();
        var samples = PixelsAsRows(features);                                         // [h*w, C]
        var basis = PcaBasis.Fit(samples);
        var scores = basis.Project(samples);
        return ScoresToImage(scores, Ranges(scores), w, h, scale);
    }

    /// <summary>
    /// Both feature maps projected onto ONE basis fitted on their concatenation and scaled with
    /// ONE set of percentiles, so equal colours mean equal features in the two pictures.
    /// </summary>
    public static (SKImage A, SKImage B) PcaPair(Tensor a, Tensor b, int scale = 4)
    {
        var (ha, wa) = SpatialSize(a, nameof(a));
        var (hb, wb) = SpatialSize(b, nameof(b));
        if (a.shape[0] != b.shape[0])
            throw new ArgumentException($"PcaPair: a has {a.shape[0]} channels, b has {b.shape[0]}; one basis needs the same channels.", nameof(b));
        using var scope = NewDisposeScope();
        var rowsA = PixelsAsRows(a);                                                  // [ha*wa, C]
        var rowsB = PixelsAsRows(b);                                                  // [hb*wb, C]
        var basis = PcaBasis.Fit(cat(new[] { rowsA, rowsB }, 0));
        var scoresA = basis.Project(rowsA);
        var scoresB = basis.Project(rowsB);
        var ranges = Ranges(scoresA.Concat(scoresB).ToArray());
        return (ScoresToImage(scoresA, ranges, wa, ha, scale), ScoresToImage(scoresB, ranges, wb, hb, scale));
    }

    /// <summary>Per-pixel L2 norm of key - support over channels: [h, w] (float32).</summary>
    public static Tensor DifferenceNorm(Tensor key, Tensor support)
    {
        SpatialSize(key, nameof(key));
        SpatialSize(support, nameof(support));
        if (!key.shape.SequenceEqual(support.shape))
            throw new ArgumentException($"Difference: key [{string.Join(", ", key.shape)}] and support [{string.Join(", ", support.shape)}] differ in shape.", nameof(support));
        using var scope = NewDisposeScope();
        var d = key.detach().to(ScalarType.Float32).cpu() - support.detach().to(ScalarType.Float32).cpu();
        return d.square().sum(new long[] { 0 }).sqrt().MoveToOuterDisposeScope();                   // [h, w]
    }

    /// <summary>
    /// Heat image (viridis) of ||key - support|| per pixel, 0 at the bottom of the map and
    /// <paramref name="maxNorm"/> at the top (default: this pair's own maximum). Pass the same
    /// maxNorm for "before" and "after alignment" to show them on one scale (see <see cref="DifferencePair"/>).
    /// </summary>
    public static SKImage Difference(Tensor key, Tensor support, double? maxNorm = null, int scale = 4)
    {
        float[] values;
        using (NewDisposeScope()) values = DifferenceNorm(key, support).contiguous().data<float>().ToArray(); // [h*w]
        double top = maxNorm ?? values.Max();
        if (!double.IsFinite(top)) throw new ArgumentException($"Difference: scale maximum {top} is not finite (NaN in the features?).");
        if (top <= 0) top = 1; // identical features: every pixel is at the bottom of the map
        var colours = values.Select(v => Viridis.At(v / top)).ToArray();
        return Raster.FromColours(colours, (int)key.shape[2], (int)key.shape[1], scale);
    }

    /// <summary>Before/after alignment distance pictures on one shared scale (the larger of the two maxima).</summary>
    public static (SKImage Before, SKImage After, double MaxNorm) DifferencePair(Tensor key, Tensor before, Tensor after, int scale = 4)
    {
        double max;
        using (NewDisposeScope())
            max = Math.Max(DifferenceNorm(key, before).max().item<float>(), DifferenceNorm(key, after).max().item<float>());
        return (Difference(key, before, max, scale), Difference(key, after, max, scale), max);
    }

    private static (int H, int W) SpatialSize(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.dim() != 3 || t.shape[0] < 1 || t.shape[1] < 1 || t.shape[2] < 1)
            throw new ArgumentException($"{name}: expected one sample's features [C, h, w], got [{string.Join(", ", t.shape)}].", name);
        return ((int)t.shape[1], (int)t.shape[2]);
    }

    private static Tensor PixelsAsRows(Tensor features) =>
        features.detach().to(ScalarType.Float64).cpu().reshape(features.shape[0], -1).t().contiguous(); // [h*w, C]

    private static (double Lo, double Hi)[] Ranges(double[][] scores)
    {
        int k = scores[0].Length;
        var ranges = new (double, double)[k];
        for (int c = 0; c < k; c++)
        {
            var column = scores.Select(s => s[c]).OrderBy(v => v).ToArray();
            ranges[c] = (Percentile.OfSorted(column, LowPercentile), Percentile.OfSorted(column, HighPercentile));
        }
        return ranges;
    }

    private static SKImage ScoresToImage(double[][] scores, (double Lo, double Hi)[] ranges, int width, int height, int scale)
    {
        var colours = new SKColor[scores.Length];
        for (int i = 0; i < scores.Length; i++)
            colours[i] = new SKColor(Byte(scores[i], ranges, 0), Byte(scores[i], ranges, 1), Byte(scores[i], ranges, 2));
        return Raster.FromColours(colours, width, height, scale);
    }

    private static byte Byte(double[] score, (double Lo, double Hi)[] ranges, int c)
    {
        var (lo, hi) = ranges[c];
        if (hi - lo <= 1e-12 * Math.Max(1, Math.Abs(hi))) return 0; // no variance along this axis
        return (byte)Math.Round(255 * Math.Clamp((score[c] - lo) / (hi - lo), 0, 1));
    }
}
