using SkiaSharp;

namespace Dsa.Visualization;

/// <summary>
/// Text for figures: SkiaSharp's default typeface at a legible size (>= 12 px). The Linux
/// "NoDependencies" native build has no fontconfig, so its default typeface can come back
/// without glyphs; then a system DejaVu/Liberation font is loaded from its usual path instead.
/// </summary>
internal static class Lettering
{
    public const float MinimumSize = 12f;

    public static readonly SKColor Ink = new(25, 25, 25);
    public static readonly SKColor Paper = new(246, 246, 246);

    private static readonly Lazy<SKTypeface> Face = new(ResolveTypeface);

    private static readonly string[] FallbackFonts =
    {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/System/Library/Fonts/Helvetica.ttc",
        @"C:\Windows\Fonts\arial.ttf",
    };

    private static SKTypeface ResolveTypeface()
    {
        var face = SKTypeface.Default;
        if (face.GlyphCount > 0) return face;
        foreach (var path in FallbackFonts)
        {
            if (!File.Exists(path)) continue;
            var loaded = SKTypeface.FromFile(path);
            if (loaded is not null && loaded.GlyphCount > 0) return loaded;
        }
        // No font anywhere: text cannot be drawn, but the figure itself is still useful.
        return face;
    }

    public static SKFont Font(float size) => new(Face.Value, Math.Max(MinimumSize, size)) { Edging = SKFontEdging.Antialias };

    public static float Width(string text, float size)
    {
        using var font = Font(size);
        return font.MeasureText(text);
    }

    /// <summary>Dark text (for light backgrounds); <paramref name="baselineY"/> is the baseline.</summary>
    public static void Draw(SKCanvas canvas, string text, float x, float baselineY, float size, SKTextAlign align = SKTextAlign.Left,
        SKColor? colour = null)
    {
        using var font = Font(size);
        using var paint = new SKPaint { Color = colour ?? Ink, IsAntialias = true };
        canvas.DrawText(text, x, baselineY, align, font, paint);
    }

    /// <summary>White text with a dark outline, legible over any image content.</summary>
    public static void DrawOutlined(SKCanvas canvas, string text, float x, float baselineY, float size, SKTextAlign align = SKTextAlign.Left)
    {
        using var font = Font(size);
        using var outline = new SKPaint
        {
            Color = new SKColor(0, 0, 0, 220), IsAntialias = true, Style = SKPaintStyle.Stroke,
            StrokeWidth = Math.Max(2f, font.Size / 5f), StrokeJoin = SKStrokeJoin.Round,
        };
        using var fill = new SKPaint { Color = SKColors.White, IsAntialias = true };
        canvas.DrawText(text, x, baselineY, align, font, outline);
        canvas.DrawText(text, x, baselineY, align, font, fill);
    }

    /// <summary>Height of one line of text (ascent + descent) at this size.</summary>
    public static float LineHeight(float size)
    {
        using var font = Font(size);
        var m = font.Metrics;
        return m.Descent - m.Ascent;
    }

    /// <summary>Distance from the top of a line to its baseline.</summary>
    public static float Ascent(float size)
    {
        using var font = Font(size);
        return -font.Metrics.Ascent;
    }
}
