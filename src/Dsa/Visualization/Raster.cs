using SkiaSharp;

namespace Dsa.Visualization;

/// <summary>Builds images from per-pixel colours and draws overlays on top of existing images.</summary>
internal static class Raster
{
    /// <summary>
    /// An image of <paramref name="width"/> x <paramref name="height"/> cells, each drawn as a
    /// <paramref name="scale"/> x <paramref name="scale"/> block (nearest-neighbour upsampling, so
    /// one block = one feature pixel, matching <see cref="FeatureCoordinates"/> when scale = stride).
    /// </summary>
    public static SKImage FromColours(SKColor[] colours, int width, int height, int scale = 1)
    {
        if (colours.Length != width * height) throw new ArgumentException($"Expected {width * height} colours, got {colours.Length}.");
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Upsampling factor must be >= 1.");
        int w = width * scale, h = height * scale;
        var bytes = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
        {
            int row = y / scale * width;
            for (int x = 0; x < w; x++)
            {
                var c = colours[row + x / scale];
                int o = (y * w + x) * 4;
                bytes[o] = c.Red;
                bytes[o + 1] = c.Green;
                bytes[o + 2] = c.Blue;
                bytes[o + 3] = c.Alpha;
            }
        }
        return SKImage.FromPixelCopy(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), bytes)
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {w}x{h} image.");
    }

    /// <summary>A surface holding <paramref name="image"/> enlarged by <paramref name="zoom"/> (nearest neighbour).</summary>
    public static SKSurface Canvas(SKImage image, float zoom)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!(zoom > 0)) throw new ArgumentOutOfRangeException(nameof(zoom), zoom, "Zoom must be positive.");
        int w = (int)Math.Round(image.Width * zoom), h = (int)Math.Round(image.Height * zoom);
        var surface = SKSurface.Create(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {w}x{h} surface.");
        surface.Canvas.Clear(SKColors.Black);
        using var paint = new SKPaint();
        surface.Canvas.DrawImage(image, new SKRect(0, 0, w, h), new SKSamplingOptions(SKFilterMode.Nearest), paint);
        return surface;
    }

    /// <summary>The image enlarged by <paramref name="zoom"/> with nearest-neighbour sampling (pixels stay visible).</summary>
    public static SKImage Zoom(SKImage image, float zoom)
    {
        using var surface = Canvas(image, zoom);
        return surface.Snapshot();
    }

    /// <summary>
    /// The crop must be exactly stride x the map's size, or the feature-to-crop mapping of
    /// <see cref="FeatureCoordinates"/> would put every mark in the wrong place without any sign of it.
    /// </summary>
    public static void CheckCropMatches(SKImage crop, int mapHeight, int mapWidth, int stride, string mapName)
    {
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Stride must be >= 1.");
        if (crop.Width != mapWidth * stride || crop.Height != mapHeight * stride)
            throw new ArgumentException($"{mapName}: a {mapHeight}x{mapWidth} map at stride {stride} covers a {mapWidth * stride}x{mapHeight * stride} " +
                $"crop (width x height), but the crop is {crop.Width}x{crop.Height}.", mapName);
    }

    /// <summary>
    /// Canvas position of a feature-map position (row, col), for a crop drawn at <paramref name="zoom"/>.
    /// <see cref="FeatureCoordinates.ToCrop"/> gives crop coordinates with pixel centres at integers;
    /// Skia puts pixel k's centre at k + 0.5, hence the half-pixel shift before zooming.
    /// </summary>
    public static SKPoint CanvasPoint(double featureRow, double featureCol, int stride, float zoom) => new(
        (float)((FeatureCoordinates.ToCrop(featureCol, stride) + 0.5) * zoom),
        (float)((FeatureCoordinates.ToCrop(featureRow, stride) + 0.5) * zoom));

    /// <summary>
    /// An arrow from <paramref name="from"/> to <paramref name="to"/> whose head's tip touches
    /// <paramref name="to"/> minus <paramref name="standoff"/> (so a marker drawn at the target
    /// does not hide it). The head always points toward <paramref name="to"/>.
    /// </summary>
    public static void Arrow(SKCanvas canvas, SKPoint from, SKPoint to, SKColor colour, float lineWidth, float headLength, float standoff,
        SKColor? halo = null)
    {
        float dx = to.X - from.X, dy = to.Y - from.Y;
        float length = MathF.Sqrt(dx * dx + dy * dy);
        if (length < 0.5f) return;
        float ux = dx / length, uy = dy / length;
        float reach = Math.Max(length - standoff, length * 0.5f);
        float head = Math.Min(headLength, reach * 0.6f);
        var tip = new SKPoint(from.X + ux * reach, from.Y + uy * reach);
        var baseCentre = new SKPoint(tip.X - ux * head, tip.Y - uy * head);
        float half = head * 0.5f;
        using var path = new SKPath();
        path.MoveTo(tip);
        path.LineTo(baseCentre.X - uy * half, baseCentre.Y + ux * half);
        path.LineTo(baseCentre.X + uy * half, baseCentre.Y - ux * half);
        path.Close();
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round };
        if (halo is SKColor edge)
        {
            paint.Color = edge;
            paint.StrokeWidth = lineWidth + 2;
            canvas.DrawLine(from, baseCentre, paint);
            paint.StrokeWidth = 2;
            canvas.DrawPath(path, paint);
        }
        paint.Color = colour;
        paint.StrokeWidth = lineWidth;
        canvas.DrawLine(from, baseCentre, paint);
        paint.Style = SKPaintStyle.Fill;
        canvas.DrawPath(path, paint);
    }

    /// <summary>A set of distinguishable colours for several overlaid items (Okabe-Ito, colour-blind safe).</summary>
    public static readonly SKColor[] Palette =
    {
        new(230, 159, 0), new(86, 180, 233), new(0, 158, 115), new(240, 228, 66),
        new(0, 114, 178), new(213, 94, 0), new(204, 121, 167), new(255, 255, 255),
    };
}
