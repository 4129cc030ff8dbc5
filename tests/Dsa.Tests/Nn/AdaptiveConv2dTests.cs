using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

public class AdaptiveConv2dTests
{
    private static Tensor Affine(long b, long h, long w, float qyy, float qyx, float qxy, float qxx, float ky, float kx) =>
        torch.tensor(new[] { qyy, qyx, qxy, qxx, ky, kx }).view(1, 6, 1, 1).expand(b, 6, h, w).contiguous(); // [B, 6, H, W]

    [Fact]
    public void IdentityAffineEqualsConv2d()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        using var conv = new AdaptiveConv2d("ac", 5, 4);
        var input = torch.randn(2, 5, 8, 6);
        var actual = conv.forward(input, Affine(2, 8, 6, 1, 0, 0, 1, 0, 0));
        var expected = torch.nn.functional.conv2d(input, conv.Weight, conv.Bias, padding: new long[] { 1, 1 });
        DeformConvParityTests.AssertClose(expected, actual, "Q = I, k = 0", 1e-5);
        Assert.Equal(new[] { "bias", "weight" }, conv.named_parameters().Select(p => p.name).Order());
        Assert.Equal(new long[] { 4, 5, 3, 3 }, conv.Weight.shape);
    }

    [Fact]
    public void TranslationByOneColumnShiftsTheInput()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        using var conv = new AdaptiveConv2d("ac", 3, 2);
        var input = torch.randn(1, 3, 7, 9);
        // k = (k_y, k_x) = (0, 1): every tap samples one column to the right, i.e. out(q) = conv(input)(q + (0, 1)).
        var actual = conv.forward(input, Affine(1, 7, 9, 1, 0, 0, 1, 0, 1));
        var shifted = torch.nn.functional.conv2d(input, conv.Weight, conv.Bias, padding: new long[] { 1, 1 });
        // Interior pixels only: at the right border the shifted taps leave the image.
        var a = actual[.., .., 1..^1, 1..^2];
        var e = shifted[.., .., 1..^1, 2..^1];
        DeformConvParityTests.AssertClose(e, a, "k = (0, 1) interior", 1e-5);
        Assert.False(actual.allclose(shifted, 1e-3, 1e-3)); // it did move
    }

    [Fact]
    public void AffineToOffsetGivesQMinusIdentityTimesTapPlusTranslation()
    {
        using var scope = torch.NewDisposeScope();
        const float qyy = 1.5f, qyx = 0.25f, qxy = -0.5f, qxx = 0.75f, ky = 0.3f, kx = -1.2f;
        var offset = AdaptiveConv2d.AffineToOffset(Affine(2, 3, 4, qyy, qyx, qxy, qxx, ky, kx));
        Assert.Equal(new long[] { 2, 18, 3, 4 }, offset.shape);
        for (int tap = 0; tap < 9; tap++)
        {
            int ry = tap / 3 - 1, rx = tap % 3 - 1;
            float oy = (qyy - 1) * ry + qyx * rx + ky;
            float ox = qxy * ry + (qxx - 1) * rx + kx;
            Assert.Equal(oy, offset[1, 2 * tap, 2, 3].item<float>(), 5);
            Assert.Equal(ox, offset[0, 2 * tap + 1, 0, 1].item<float>(), 5);
        }
    }

    [Fact]
    public void AffineOfWrongShapeIsRejected()
    {
        using var scope = torch.NewDisposeScope();
        using var conv = new AdaptiveConv2d("ac", 3, 2);
        var e = Assert.Throws<ArgumentException>(() => conv.forward(torch.randn(1, 3, 5, 5), torch.zeros(1, 4, 5, 5)));
        Assert.Equal("affine", e.ParamName);
        Assert.Contains("[1, 6, 5, 5]", e.Message);
    }
}
