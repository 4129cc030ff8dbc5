using SkiaSharp;
using static TorchSharp.torch;

namespace Dsa.Visualization;

/// <summary>
/// Pictures of the Local Enhancement Block's adaptive kernels (paper eqs. 4-6): at pixel p the
/// 3x3 kernel samples O = Q R + k around p, R = {-1, 0, 1}^2. The affine field is [6, h, w] =
/// [Q_yy, Q_yx, Q_xy, Q_xx, k_y, k_x], so tap r = (r_y, r_x) samples
/// (p_y + Q_yy r_y + Q_yx r_x + k_y, p_x + Q_xy r_y + Q_xx r_x + k_x) in feature pixels.
/// Q = I, k = 0 is the regular 3x3 convolution: a square grid of spacing one feature pixel.
/// </summary>
public static class AffineKernelRenderer
{
    /// <summary>The lattice of pixels drawn: every <paramref name="latticeStep"/>-th row and column, starting half a step in.</summary>
    public static IReadOnlyList<(int Row, int Col)> Lattice(int height, int width, int latticeStep)
    {
        if (latticeStep < 1) throw new ArgumentOutOfRangeException(nameof(latticeStep), latticeStep, "Lattice step must be >= 1.");
        var pixels = new List<(int, int)>();
        for (int r = latticeStep / 2; r < height; r += latticeStep)
            for (int c = latticeStep / 2; c < width; c += latticeStep)
                pixels.Add((r, c));
        return pixels;
    }

    /// <summary>
    /// The 9 sampling positions (feature pixels, (row, col)) of the adaptive kernel at (row, col),
    /// in tap order k = (r_y + 1) * 3 + (r_x + 1).
    /// </summary>
    public static (double Row, double Col)[] KernelPoints(Tensor affine, int row, int col) => KernelPoints(ReadAffine(affine), row, col);

    private static (double Row, double Col)[] KernelPoints(HostTensor a, int row, int col)
    {
        if (row < 0 || row >= a.Height || col < 0 || col >= a.Width)
            throw new ArgumentOutOfRangeException(nameof(row), (row, col), $"Pixel ({row}, {col}) is outside the {a.Height}x{a.Width} affine field.");
        float qyy = a[0, row, col], qyx = a[1, row, col], qxy = a[2, row, col], qxx = a[3, row, col], ky = a[4, row, col], kx = a[5, row, col];
        var points = new (double, double)[9];
        for (int k = 0; k < 9; k++)
        {
            int ry = k / 3 - 1, rx = k % 3 - 1;
            points[k] = (row + qyy * ry + qyx * rx + ky, col + qxy * ry + qxx * rx + kx);
        }
        return points;
    }

    /// <summary>
    /// Over the crop (enlarged by <paramref name="zoom"/>), at every lattice pixel: the deformed
    /// 3x3 kernel as a small mesh (rows and columns of the grid joined), its 9 points, and the
    /// pixel itself as a hollow marker, so a translation k shows as the mesh leaving its centre.
    /// </summary>
    public static SKImage KernelGrids(SKImage crop, Tensor affine, int latticeStep, int stride = 4, float zoom = 3f)
    {
        ArgumentNullException.ThrowIfNull(crop);
        var a = ReadAffine(affine);
        Raster.CheckCropMatches(crop, a.Height, a.Width, stride, nameof(affine));
        using var surface = Raster.Canvas(crop, zoom);
        var canvas = surface.Canvas;
        float spacing = stride * zoom;
        float radius = Math.Clamp(0.15f * spacing, 1.5f, 4f);
        using var mesh = new SKPaint { Color = new SKColor(255, 255, 255, 230), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Clamp(0.08f * spacing, 1f, 2f) };
        using var shadow = new SKPaint { Color = new SKColor(0, 0, 0, 160), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = mesh.StrokeWidth + 1.5f };
        using var dot = new SKPaint { Color = new SKColor(230, 159, 0), IsAntialias = true, Style = SKPaintStyle.Fill };
        using var centre = new SKPaint { Color = new SKColor(86, 180, 233), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1.5f };
        foreach (var (row, col) in Lattice(a.Height, a.Width, latticeStep))
        {
            var p = KernelPoints(a, row, col).Select(q => Raster.CanvasPoint(q.Row, q.Col, stride, zoom)).ToArray();
            using var path = new SKPath();
            for (int i = 0; i < 3; i++)
            {
                path.MoveTo(p[i * 3]); path.LineTo(p[i * 3 + 1]); path.LineTo(p[i * 3 + 2]); // a row of the kernel
                path.MoveTo(p[i]); path.LineTo(p[3 + i]); path.LineTo(p[6 + i]);             // a column of the kernel
            }
            canvas.DrawPath(path, shadow);
            canvas.DrawPath(path, mesh);
            foreach (var q in p) canvas.DrawCircle(q, radius, dot);
            canvas.DrawCircle(Raster.CanvasPoint(row, col, stride, zoom), radius + 1.5f, centre);
        }
        return surface.Snapshot();
    }

    private static HostTensor ReadAffine(Tensor affine) => HostTensor.Read(affine, nameof(affine), channels: 6);
}
