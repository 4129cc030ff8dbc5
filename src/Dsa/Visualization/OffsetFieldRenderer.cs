using SkiaSharp;
using static TorchSharp.torch;

namespace Dsa.Visualization;

/// <summary>
/// Pictures of the Global Alignment Block's deformable sampling (paper eq. 3, DCNv2).
/// Offsets are [2*9, h, w] in torchvision.ops.deform_conv2d layout: channel 2k is the row (y)
/// shift of tap k, 2k+1 the column (x) shift; tap k = i*3 + j over the 3x3 kernel sits at the
/// regular position (i-1, j-1) times the dilation (1 in DSA's GAB). Tap k of output pixel p samples
/// p + dilation * (i-1, j-1) + offset_k(p), in feature pixels; <see cref="FeatureCoordinates"/> maps that to the crop.
/// </summary>
public static class OffsetFieldRenderer
{
    private const int Taps = 9;

    /// <summary>Dark edge under arrows so they read on bright and dark crops alike.</summary>
    private static readonly SKColor Halo = new(0, 0, 0, 150);

    /// <summary>Regular (undeformed) sampling positions (feature pixels, (row, col)) of the 9 taps of one output pixel.</summary>
    public static (double Row, double Col)[] RegularPositions(int row, int col, int dilation = 1)
    {
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "Dilation must be >= 1.");
        var points = new (double, double)[Taps];
        for (int k = 0; k < Taps; k++) points[k] = (row + dilation * (k / 3 - 1), col + dilation * (k % 3 - 1));
        return points;
    }

    /// <summary>The 9 deformed sampling positions (feature pixels) of output pixel (row, col).</summary>
    public static (double Row, double Col)[] DeformedPositions(Tensor offset, int row, int col, int dilation = 1)
    {
        var field = ReadOffset(offset);
        CheckPixel(field, row, col, nameof(offset));
        return Deformed(field, row, col, dilation);
    }

    private static (double Row, double Col)[] Deformed(HostTensor field, int row, int col, int dilation)
    {
        var regular = RegularPositions(row, col, dilation);
        var points = new (double, double)[Taps];
        for (int k = 0; k < Taps; k++)
            points[k] = (regular[k].Row + field[2 * k, row, col], regular[k].Col + field[2 * k + 1, row, col]);
        return points;
    }

    /// <summary>
    /// Draws, over the supporting crop, for each chosen output pixel: the regular 3x3 grid
    /// (hollow circles), the 9 deformed sampling points (filled; smaller and fainter where the
    /// modulation mask is low) and an arrow from each regular point to its deformed point, the
    /// head at the deformed end. The crop is enlarged by <paramref name="zoom"/> so that
    /// displacements of a feature pixel (= <paramref name="stride"/> crop pixels) are visible.
    /// </summary>
    /// <param name="supportCrop">The supporting frame's crop (H x W, H = stride * h).</param>
    /// <param name="offset">[18, h, w] GAB offsets for one sample.</param>
    /// <param name="pixels">Output pixels (feature row, column) to show.</param>
    /// <param name="mask">Optional [9, h, w] modulation scalars (after the sigmoid, in [0, 1]).</param>
    public static SKImage SamplingPoints(SKImage supportCrop, Tensor offset, IReadOnlyList<(int Row, int Col)> pixels, int stride = 4,
        Tensor? mask = null, float zoom = 3f, int dilation = 1)
    {
        ArgumentNullException.ThrowIfNull(supportCrop);
        ArgumentNullException.ThrowIfNull(pixels);
        var field = ReadOffset(offset);
        Raster.CheckCropMatches(supportCrop, field.Height, field.Width, stride, nameof(offset));
        var modulation = ReadMask(mask, field);
        foreach (var (r, c) in pixels) CheckPixel(field, r, c, nameof(pixels));

        using var surface = Raster.Canvas(supportCrop, zoom);
        DrawSampling(surface.Canvas, field, modulation, pixels, stride, zoom, dilation);
        return surface.Snapshot();
    }

    /// <summary>
    /// A close-up of <see cref="SamplingPoints"/> for one output pixel: the window of
    /// 2 * <paramref name="radius"/> + 1 feature pixels around it, enlarged by <paramref name="zoom"/>
    /// (default 12: one feature pixel = 48 canvas pixels at stride 4), so the 3x3 kernel and its
    /// displacements are large enough to read.
    /// </summary>
    public static SKImage SamplingDetail(SKImage supportCrop, Tensor offset, (int Row, int Col) pixel, int radius = 3, int stride = 4,
        Tensor? mask = null, float zoom = 12f, int dilation = 1)
    {
        ArgumentNullException.ThrowIfNull(supportCrop);
        if (radius < 1) throw new ArgumentOutOfRangeException(nameof(radius), radius, "The window needs a radius of at least one feature pixel.");
        if (!(zoom > 0)) throw new ArgumentOutOfRangeException(nameof(zoom), zoom, "Zoom must be positive.");
        var field = ReadOffset(offset);
        Raster.CheckCropMatches(supportCrop, field.Height, field.Width, stride, nameof(offset));
        var modulation = ReadMask(mask, field);
        CheckPixel(field, pixel.Row, pixel.Col, nameof(pixel));
        int side = (int)Math.Round((2 * radius + 1) * stride * zoom);
        using var surface = SKSurface.Create(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {side}x{side} surface.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Black);
        // Window origin: the top-left crop pixel of feature pixel (row - radius, col - radius).
        canvas.Translate(-(pixel.Col - radius) * stride * zoom, -(pixel.Row - radius) * stride * zoom);
        using (var paint = new SKPaint())
            canvas.DrawImage(supportCrop, new SKRect(0, 0, supportCrop.Width * zoom, supportCrop.Height * zoom),
                new SKSamplingOptions(SKFilterMode.Nearest), paint);
        DrawSampling(canvas, field, modulation, new[] { pixel }, stride, zoom, dilation);
        return surface.Snapshot();
    }

    private static HostTensor? ReadMask(Tensor? mask, HostTensor field)
    {
        if (mask is null) return null;
        var modulation = HostTensor.Read(mask, nameof(mask), channels: Taps);
        if (modulation.Height != field.Height || modulation.Width != field.Width)
            throw new ArgumentException($"mask: spatial size {modulation.Height}x{modulation.Width} differs from offset's {field.Height}x{field.Width}.", nameof(mask));
        return modulation;
    }

    private static void DrawSampling(SKCanvas canvas, HostTensor field, HostTensor? modulation, IReadOnlyList<(int Row, int Col)> pixels, int stride, float zoom,
        int dilation)
    {
        float spacing = stride * zoom;
        float radius = Math.Clamp(0.2f * spacing, 2f, 8f);
        float lineWidth = Math.Clamp(0.08f * spacing, 1f, 3f);
        float head = Math.Clamp(0.4f * spacing, 4f, 16f);
        using var outline = new SKPaint { Color = new SKColor(0, 0, 0, 200), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1f };
        using var paint = new SKPaint { IsAntialias = true };

        for (int n = 0; n < pixels.Count; n++)
        {
            var (row, col) = pixels[n];
            var colour = Raster.Palette[n % Raster.Palette.Length];
            var regular = RegularPositions(row, col, dilation);
            var deformed = Deformed(field, row, col, dilation);
            var from = regular.Select(p => Raster.CanvasPoint(p.Row, p.Col, stride, zoom)).ToArray();
            var to = deformed.Select(p => Raster.CanvasPoint(p.Row, p.Col, stride, zoom)).ToArray();
            double[] m = Enumerable.Range(0, Taps).Select(k => modulation is null ? 1.0 : Math.Clamp(modulation[k, row, col], 0f, 1f)).ToArray();

            for (int k = 0; k < Taps; k++)
                Raster.Arrow(canvas, from[k], to[k], colour.WithAlpha((byte)(255 * (0.35 + 0.65 * m[k]))), lineWidth, head, radius + 1, Halo);
            paint.Style = SKPaintStyle.Stroke;
            paint.StrokeWidth = lineWidth;
            paint.Color = colour;
            foreach (var p in from) canvas.DrawCircle(p, radius, paint);
            paint.Style = SKPaintStyle.Fill;
            for (int k = 0; k < Taps; k++)
            {
                float r = radius * (float)(0.55 + 0.45 * m[k]);
                paint.Color = colour.WithAlpha((byte)(255 * (0.35 + 0.65 * m[k])));
                canvas.DrawCircle(to[k], r, paint);
                canvas.DrawCircle(to[k], r, outline);
            }
        }
    }

    /// <summary>
    /// The displacement field as colour: hue = direction, value = magnitude / max magnitude,
    /// saturation 1 (optical-flow convention, see <see cref="ColourWheelLegend"/>). The
    /// displacement is the mean of the 9 taps' offsets, or tap <paramref name="tap"/>'s alone.
    /// Each feature pixel becomes a <paramref name="scale"/>-pixel block (nearest neighbour;
    /// the default = stride, so the image lines up with the crop). Full brightness is
    /// <paramref name="maxMagnitude"/> feature pixels when given (pass the same value to every panel of a
    /// figure, and to <see cref="ScaleLegend"/>, so that 0.2 px does not look as strong as 1.5 px), else the
    /// field's own maximum (<see cref="MaxMagnitude"/>).
    /// </summary>
    public static SKImage DenseField(Tensor offset, int? tap = null, int scale = 4, double? maxMagnitude = null)
    {
        if (tap is int t && (t < 0 || t >= Taps)) throw new ArgumentOutOfRangeException(nameof(tap), t, "Tap index must be in 0..8.");
        if (maxMagnitude is double given && (!(given > 0) || double.IsInfinity(given)))
            throw new ArgumentOutOfRangeException(nameof(maxMagnitude), given, "The colour scale's maximum must be a positive number of feature pixels.");
        var (dy, dx, h, w) = MeanDisplacement(offset, tap);
        double max = maxMagnitude ?? Largest(dy, dx);
        var colours = new SKColor[h * w];
        for (int i = 0; i < colours.Length; i++) colours[i] = DirectionColour(dy[i], dx[i], max);
        return Raster.FromColours(colours, w, h, scale);
    }

    /// <summary>The largest mean-over-taps offset of a [18, h, w] (or [1, 18, h, w]) field, in feature pixels: a shared <c>maxMagnitude</c> is the largest of these over a figure's panels.</summary>
    public static double MaxMagnitude(Tensor offset)
    {
        var (dy, dx, _, _) = MeanDisplacement(offset, tap: null);
        return Largest(dy, dx);
    }

    private static double Largest(double[] dy, double[] dx)
    {
        double max = 0;
        for (int i = 0; i < dy.Length; i++) max = Math.Max(max, Math.Sqrt(dy[i] * dy[i] + dx[i] * dx[i]));
        return max;
    }

    // Per feature pixel (row-major), the mean of the 9 taps' offsets, or tap `tap`'s alone: (dy, dx).
    private static (double[] Dy, double[] Dx, int Height, int Width) MeanDisplacement(Tensor offset, int? tap)
    {
        var field = ReadOffset(offset);
        int h = field.Height, w = field.Width;
        var dy = new double[h * w];
        var dx = new double[h * w];
        int first = tap ?? 0, last = tap ?? Taps - 1, count = last - first + 1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double sy = 0, sx = 0;
                for (int k = first; k <= last; k++)
                {
                    sy += field[2 * k, y, x];
                    sx += field[2 * k + 1, y, x];
                }
                dy[y * w + x] = sy / count;
                dx[y * w + x] = sx / count;
            }
        return (dy, dx, h, w);
    }

    /// <summary>
    /// <see cref="ColourWheelLegend"/> with its scale written under it: the rim's brightness is <paramref name="maxMagnitude"/>
    /// feature pixels (and input pixels, times <paramref name="stride"/>), the value the figure's <see cref="DenseField"/> panels were drawn with.
    /// </summary>
    public static SKImage ScaleLegend(int size, double maxMagnitude, int stride = 4)
    {
        using var wheel = ColourWheelLegend(size);
        float font = Math.Max(10f, size / 10f);
        string line1 = $"rim: {maxMagnitude:0.00} feature px", line2 = $"= {maxMagnitude * stride:0.0} input px";
        int width = (int)Math.Ceiling(Math.Max(size, Math.Max(Lettering.Width(line1, font), Lettering.Width(line2, font)) + 4));
        int height = size + (int)Math.Ceiling(2 * Lettering.LineHeight(font)) + 4;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(Lettering.Paper);
        canvas.DrawImage(wheel, (width - size) / 2f, 0);
        Lettering.Draw(canvas, line1, width / 2f, size + Lettering.Ascent(font) + 2, font, SKTextAlign.Center);
        Lettering.Draw(canvas, line2, width / 2f, size + Lettering.LineHeight(font) + Lettering.Ascent(font) + 2, font, SKTextAlign.Center);
        return surface.Snapshot();
    }

    /// <summary>
    /// The key to <see cref="DenseField"/>: a disc whose pixel at direction (dy, dx) from the centre
    /// (image axes: x right, y down) has that direction's hue, brightness growing with the radius.
    /// </summary>
    public static SKImage ColourWheelLegend(int size)
    {
        if (size < 16) throw new ArgumentOutOfRangeException(nameof(size), size, "A colour wheel needs at least 16 pixels.");
        double centre = (size - 1) / 2.0, radius = size / 2.0 - 1;
        var colours = new SKColor[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double dy = y - centre, dx = x - centre;
                colours[y * size + x] = Math.Sqrt(dy * dy + dx * dx) <= radius ? DirectionColour(dy, dx, radius) : Lettering.Paper;
            }
        return Raster.FromColours(colours, size, size);
    }

    /// <summary>Hue from the direction (0 deg = right, 90 = down, 180 = left, 270 = up), value from the magnitude.</summary>
    internal static SKColor DirectionColour(double dy, double dx, double maxMagnitude)
    {
        double magnitude = Math.Sqrt(dy * dy + dx * dx);
        if (maxMagnitude <= 0 || magnitude == 0) return SKColors.Black;
        double hue = Math.Atan2(dy, dx) * 180 / Math.PI;
        if (hue < 0) hue += 360;
        double value = Math.Min(1, magnitude / maxMagnitude);
        return SKColor.FromHsv((float)hue, 100f, (float)(100 * value));
    }

    /// <summary>
    /// The 9 modulation masks as a 3x3 grid (panel (i, j) = tap k = i*3 + j, titled with its
    /// regular position) in viridis, with a colour bar. The range is [0, 1] (sigmoid output)
    /// unless values fall outside it, then the data's min..max.
    /// </summary>
    public static SKImage MaskHeat(Tensor mask, int scale = 4)
    {
        var m = HostTensor.Read(mask, nameof(mask), channels: Taps);
        double min = m.Data.Min(), max = m.Data.Max();
        if (min >= 0 && max <= 1) (min, max) = (0, 1);
        else if (max <= min) max = min + 1;
        var panels = new List<MontagePanel>();
        for (int k = 0; k < Taps; k++)
        {
            var colours = new SKColor[m.Height * m.Width];
            for (int y = 0; y < m.Height; y++)
                for (int x = 0; x < m.Width; x++)
                    colours[y * m.Width + x] = Viridis.At((m[k, y, x] - min) / (max - min));
            panels.Add(new MontagePanel($"tap {k} ({k / 3 - 1:+0;-0;0}, {k % 3 - 1:+0;-0;0})", Raster.FromColours(colours, m.Width, m.Height, scale)));
        }
        try
        {
            using var grid = Montage.Grid(panels, 3, "Modulation mask per tap (row, col)");
            using var bar = Viridis.ColourBar(Math.Max(64, grid.Height * 2 / 3), min, max, "mask");
            return Montage.Row(new[] { grid, bar });
        }
        finally
        {
            foreach (var p in panels) p.Image.Dispose();
        }
    }

    private static HostTensor ReadOffset(Tensor offset) => HostTensor.Read(offset, nameof(offset), channels: 2 * Taps);

    private static void CheckPixel(HostTensor field, int row, int col, string name)
    {
        if (row < 0 || row >= field.Height || col < 0 || col >= field.Width)
            throw new ArgumentOutOfRangeException(name, (row, col), $"Pixel ({row}, {col}) is outside the {field.Height}x{field.Width} offset field.");
    }
}
