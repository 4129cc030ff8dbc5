using SkiaSharp;

namespace Dsa.Visualization;

/// <summary>
/// The viridis colour map (matplotlib's perceptually uniform default), interpolated linearly
/// between its 11 published key colours at 0, 0.1, ..., 1. Perceptual uniformity matters here:
/// equal steps in mask value or feature distance must look like equal steps in colour.
/// </summary>
public static class Viridis
{
    private static readonly (byte R, byte G, byte B)[] Keys =
    {
        (68, 1, 84), (72, 36, 117), (65, 68, 135), (53, 95, 141), (42, 120, 142), (33, 145, 140),
        (34, 168, 132), (68, 191, 112), (122, 209, 81), (189, 223, 38), (253, 231, 37),
    };

    /// <summary>The colour at <paramref name="t"/> in [0, 1] (clamped; NaN maps to 0).</summary>
    public static SKColor At(double t)
    {
        if (double.IsNaN(t) || t < 0) t = 0;
        if (t > 1) t = 1;
        double x = t * (Keys.Length - 1);
        int i = Math.Min((int)x, Keys.Length - 2);
        double f = x - i;
        var (a, b) = (Keys[i], Keys[i + 1]);
        return new SKColor(Lerp(a.R, b.R, f), Lerp(a.G, b.G, f), Lerp(a.B, b.B, f));
    }

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * f);

    /// <summary>
    /// A vertical colour bar: the ramp (max at the top) with tick labels for min, middle and max
    /// and an optional caption above it, dark text on a light background.
    /// </summary>
    public static SKImage ColourBar(int height, double min, double max, string? caption = null, float fontSize = 13f)
    {
        if (height < 32) throw new ArgumentOutOfRangeException(nameof(height), height, "A colour bar needs at least 32 pixels of height.");
        if (!double.IsFinite(min) || !double.IsFinite(max)) throw new ArgumentException($"Colour bar range [{min}, {max}] is not finite.");
        const int rampWidth = 18, margin = 6;
        string[] ticks = { Format(max), Format((min + max) / 2), Format(min) };
        float textWidth = ticks.Max(t => Lettering.Width(t, fontSize));
        float captionHeight = caption is null ? 0 : Lettering.LineHeight(fontSize) + 4;
        float half = Lettering.LineHeight(fontSize) / 2;
        int width = (int)Math.Ceiling(Math.Max(margin + rampWidth + 4 + textWidth + margin,
            caption is null ? 0 : Lettering.Width(caption, fontSize) + 2 * margin));
        int total = (int)Math.Ceiling(height + captionHeight + 2 * half);

        using var surface = SKSurface.Create(new SKImageInfo(width, total, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(Lettering.Paper);
        if (caption is not null) Lettering.Draw(canvas, caption, margin, Lettering.Ascent(fontSize), fontSize);
        float top = captionHeight + half;
        using (var paint = new SKPaint())
            for (int y = 0; y < height; y++)
            {
                paint.Color = At(1.0 - y / (double)(height - 1));
                canvas.DrawRect(margin, top + y, rampWidth, 1, paint);
            }
        using (var frame = new SKPaint { Color = Lettering.Ink, Style = SKPaintStyle.Stroke, StrokeWidth = 1 })
            canvas.DrawRect(margin - 0.5f, top - 0.5f, rampWidth + 1, height + 1, frame);
        float ascentHalf = Lettering.Ascent(fontSize) / 2 - 1;
        for (int k = 0; k < 3; k++)
        {
            float y = top + k * (height - 1) / 2f;
            Lettering.Draw(canvas, ticks[k], margin + rampWidth + 4, y + ascentHalf, fontSize);
        }
        return surface.Snapshot();
    }

    private static string Format(double v) => Math.Abs(v) >= 100 || (Math.Abs(v) < 0.01 && v != 0) ? v.ToString("G3") : v.ToString("0.##");
}
