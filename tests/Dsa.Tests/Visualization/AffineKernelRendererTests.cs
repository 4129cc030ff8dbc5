using Dsa.Visualization;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Visualization;

public class AffineKernelRendererTests
{
    private static Tensor Identity(int h, int w)
    {
        var a = zeros(6, h, w);
        a[0].fill_(1f); // Q_yy
        a[3].fill_(1f); // Q_xx
        return a;
    }

    [Fact]
    public void IdentityAffineSamplesTheRegularSquareGrid()
    {
        using var affine = Identity(10, 8);
        foreach (var (row, col) in AffineKernelRenderer.Lattice(10, 8, 3))
        {
            var points = AffineKernelRenderer.KernelPoints(affine, row, col);
            for (int k = 0; k < 9; k++)
                Assert.Equal((row + k / 3 - 1.0, col + k % 3 - 1.0), points[k]);
        }
    }

    [Fact]
    public void AffineChannelsAreQyyQyxQxyQxxKyKx()
    {
        using var a = zeros(6, 3, 3);
        float[] v = { 2f, 0.5f, -0.25f, 3f, 0.1f, -0.2f };
        for (int c = 0; c < 6; c++) a[c, 1, 1] = tensor(v[c]);
        var points = AffineKernelRenderer.KernelPoints(a, 1, 1);
        // tap 8: r = (r_y 1, r_x 1) -> (1 + 2 + 0.5 + 0.1, 1 - 0.25 + 3 - 0.2)
        Assert.Equal(3.6, points[8].Row, 5);
        Assert.Equal(3.55, points[8].Col, 5);
        // tap 1: r = (-1, 0) -> (1 - 2 + 0.1, 1 + 0.25 - 0.2)
        Assert.Equal(-0.9, points[1].Row, 5);
        Assert.Equal(1.05, points[1].Col, 5);
    }

    [Fact]
    public void IdentityGridIsDrawnAsASquareAroundEachLatticePixel()
    {
        const int stride = 8;
        var grey = new SKColor(90, 90, 90);
        using var crop = Pixels.Uniform(8 * stride, 8 * stride, grey);
        using var affine = Identity(8, 8);
        using var image = AffineKernelRenderer.KernelGrids(crop, affine, latticeStep: 4, stride: stride, zoom: 1f);
        Assert.Equal((64, 64), (image.Width, image.Height));
        var px = Pixels.All(image);
        // Lattice pixel (2, 2): crop centre 8*2 + 3.5 (+0.5 Skia) = 20; corners at 20 +- 8.
        foreach (var (x, y) in new[] { (12, 12), (28, 12), (12, 28), (28, 28), (20, 12), (12, 20) })
            Assert.True(Pixels.Distance(px[y, x], grey) > 40, $"grid point ({x}, {y}) not drawn");
        // Halfway along a mesh edge (joined points), and not beyond the square.
        Assert.True(Pixels.Distance(px[12, 16], grey) > 40, "top edge of the mesh not drawn");
        Assert.True(Pixels.Distance(px[6, 20], grey) <= 10, "something drawn outside the square");
    }
}
