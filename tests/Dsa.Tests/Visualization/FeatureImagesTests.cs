using Dsa.Visualization;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Visualization;

public class FeatureImagesTests
{
    private const int H = 16, W = 16, C = 8;

    /// <summary>Three centred, mutually orthogonal patterns with variances in decreasing order: [3, H*W].</summary>
    private static Tensor Patterns()
    {
        var y = arange(H, dtype: float64).reshape(H, 1).expand(H, W) - (H - 1) / 2.0;
        var x = arange(W, dtype: float64).reshape(1, W).expand(H, W) - (W - 1) / 2.0;
        var checker = ((x + y + 1).remainder(2) * 2 - 1);            // even grid: orthogonal to both ramps
        return stack(new[] { x * 0.4, y * 0.25, checker * 0.5 }).reshape(3, H * W);
    }

    /// <summary>Orthonormal loadings [C, 3] from a seeded QR.</summary>
    private static Tensor Loadings()
    {
        var (q, _) = linalg.qr(randn(C, 3, dtype: float64, generator: new Generator(7)));
        return q;
    }

    private static Tensor Features(Tensor patterns, Tensor loadings) =>
        (loadings.matmul(patterns) + 0.3).reshape(C, H, W).to(float32); // [C, H, W], non-zero mean

    [Fact]
    public void PcaBasisRecoversKnownAxesWithDeterministicSigns()
    {
        using var p = Patterns();
        using var m = Loadings();
        using var f = Features(p, m);
        using var rows = f.reshape(C, -1).t();
        var basis = PcaBasis.Fit(rows);
        var mHost = m.contiguous().data<double>().ToArray();
        for (int k = 0; k < 3; k++)
        {
            double dot = 0;
            for (int c = 0; c < C; c++) dot += basis.Axes[k][c] * mHost[c * 3 + k];
            Assert.True(Math.Abs(Math.Abs(dot) - 1) < 1e-4, $"axis {k} vs loading {k}: |dot| = {Math.Abs(dot)}");
            var largest = basis.Axes[k].MaxBy(Math.Abs);
            Assert.True(largest > 0, $"axis {k}: largest-magnitude loading {largest} should be positive");
        }
        Assert.True(basis.Variances[0] > basis.Variances[1] && basis.Variances[1] > basis.Variances[2]);
        // Fitting the negated data gives the same axes: the sign rule, not the SVD, decides.
        var negated = PcaBasis.Fit(-rows);
        for (int k = 0; k < 3; k++)
            for (int c = 0; c < C; c++) Assert.Equal(basis.Axes[k][c], negated.Axes[k][c], 6);
    }

    [Fact]
    public void PcaImageChannelsFollowThePatternsInVarianceOrder()
    {
        using var p = Patterns();
        using var m = Loadings();
        using var f = Features(p, m);
        using var image = FeatureImages.Pca(f, scale: 1);
        Assert.Equal((W, H), (image.Width, image.Height));
        var px = Pixels.All(image);
        var pHost = p.contiguous().data<double>().ToArray();
        Func<SKColor, byte>[] channel = { c => c.Red, c => c.Green, c => c.Blue };
        for (int k = 0; k < 3; k++)
        {
            var values = new double[H * W];
            for (int i = 0; i < H * W; i++) values[i] = channel[k](px[i / W, i % W]);
            double r = Correlation(values, pHost.AsSpan(k * H * W, H * W).ToArray());
            Assert.True(Math.Abs(r) > 0.97, $"channel {k} vs pattern {k}: r = {r}");
        }
    }

    [Fact]
    public void PcaPairProjectsBothMapsOntoOneBasisAndOneScale()
    {
        using var p = Patterns();
        using var m = Loadings();
        using var a = Features(p, m);
        // b: the same structure with three times the spread. Fitted and scaled separately, the two
        // pictures are identical (percentile scaling hides the spread); on one basis and one scale,
        // a's colours must be squeezed toward the middle while b's span the range.
        using var p3 = p * 3;
        using var b = Features(p3, m);
        using (var separateA = FeatureImages.Pca(a, scale: 1))
        using (var separateB = FeatureImages.Pca(b, scale: 1))
            Assert.Equal(Pixels.All(separateA).Cast<SKColor>(), Pixels.All(separateB).Cast<SKColor>());

        var (imageA, imageB) = FeatureImages.PcaPair(a, b, scale: 1);
        using (imageA)
        using (imageB)
        {
            var redA = Pixels.All(imageA).Cast<SKColor>().Select(c => (double)c.Red).ToArray();
            var redB = Pixels.All(imageB).Cast<SKColor>().Select(c => (double)c.Red).ToArray();
            double spreadA = redA.Max() - redA.Min(), spreadB = redB.Max() - redB.Min();
            Assert.True(spreadB > 240, $"b's red channel should span the range, spans {spreadB}");
            Assert.InRange(spreadA / spreadB, 0.25, 0.42); // one third of the spread on the shared scale
            Assert.True(Correlation(redA, redB) > 0.99, "same structure, same basis: the channels must agree in direction");
        }
    }

    [Fact]
    public void DifferenceOfIdenticalFeaturesIsZeroEverywhere()
    {
        using var f = randn(5, 6, 7, generator: new Generator(3));
        using var norm = FeatureImages.DifferenceNorm(f, f.clone());
        Assert.Equal(new long[] { 6, 7 }, norm.shape);
        Assert.Equal(0f, norm.abs().max().item<float>());
        using var image = FeatureImages.Difference(f, f.clone(), scale: 2);
        Assert.Equal((14, 12), (image.Width, image.Height));
        Assert.All(Pixels.All(image).Cast<SKColor>(), c => Assert.Equal(Viridis.At(0), c));
    }

    [Fact]
    public void DifferencePairUsesOneScaleForBeforeAndAfter()
    {
        using var key = zeros(2, 1, 2);
        using var before = zeros(2, 1, 2);
        before[0, 0, 1] = tensor(4f);                      // distance 4 at pixel 1
        using var after = zeros(2, 1, 2);
        after[1, 0, 1] = tensor(2f);                       // distance 2 at pixel 1
        var (b, a, max) = FeatureImages.DifferencePair(key, before, after, scale: 1);
        Assert.Equal(4.0, max, 6);
        Assert.Equal(Viridis.At(1), Pixels.At(b, 1, 0));
        Assert.Equal(Viridis.At(0.5), Pixels.At(a, 1, 0)); // on its own scale it would be viridis(1)
        Assert.Equal(Viridis.At(0), Pixels.At(a, 0, 0));
    }

    [Fact]
    public void DifferenceRejectsMismatchedShapes()
    {
        using var a = zeros(4, 5, 6);
        using var b = zeros(4, 5, 7);
        var e = Assert.Throws<ArgumentException>(() => FeatureImages.Difference(a, b));
        Assert.Contains("[4, 5, 7]", e.Message);
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}
