using SkiaSharp;

namespace Dsa.Visualization;

/// <summary>One picture in a <see cref="Montage"/> with the title written above it.</summary>
public sealed record MontagePanel(string Title, SKImage Image);

/// <summary>
/// Composes images into a labelled grid: dark text on a light background, the default
/// typeface at >= 12 px, each panel centred in a cell as large as the largest panel.
/// </summary>
public static class Montage
{
    public static SKImage Grid(IReadOnlyList<MontagePanel> panels, int columns, string? title = null, float fontSize = 14f, int gap = 10)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("A montage needs at least one panel.", nameof(panels));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "A montage needs at least one column.");
        for (int i = 0; i < panels.Count; i++)
            if (panels[i]?.Image is null) throw new ArgumentException($"Montage panel {i} has no image.", nameof(panels));
        fontSize = Math.Max(Lettering.MinimumSize, fontSize);
        columns = Math.Min(columns, panels.Count);
        int rows = (panels.Count + columns - 1) / columns;
        float line = Lettering.LineHeight(fontSize);
        int labelHeight = panels.Any(p => !string.IsNullOrEmpty(p.Title)) ? (int)Math.Ceiling(line + 4) : 0;
        int cellW = (int)Math.Ceiling(panels.Max(p => Math.Max(p.Image.Width, Lettering.Width(p.Title ?? "", fontSize))));
        int cellH = panels.Max(p => p.Image.Height) + labelHeight;
        float titleSize = fontSize * 1.25f;
        int titleHeight = title is null ? 0 : (int)Math.Ceiling(Lettering.LineHeight(titleSize) + gap);
        int width = columns * cellW + (columns + 1) * gap;
        int height = titleHeight + rows * cellH + (rows + 1) * gap;
        if (title is not null) width = Math.Max(width, (int)Math.Ceiling(Lettering.Width(title, titleSize)) + 2 * gap);

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {width}x{height} montage.");
        var canvas = surface.Canvas;
        canvas.Clear(Lettering.Paper);
        if (title is not null) Lettering.Draw(canvas, title, width / 2f, gap + Lettering.Ascent(titleSize), titleSize, SKTextAlign.Center);
        using var paint = new SKPaint();
        for (int i = 0; i < panels.Count; i++)
        {
            var (panel, r, c) = (panels[i], i / columns, i % columns);
            float left = gap + c * (cellW + gap), top = titleHeight + gap + r * (cellH + gap);
            if (!string.IsNullOrEmpty(panel.Title))
                Lettering.Draw(canvas, panel.Title, left + cellW / 2f, top + Lettering.Ascent(fontSize), fontSize, SKTextAlign.Center);
            float x = left + (cellW - panel.Image.Width) / 2f, y = top + labelHeight + (cellH - labelHeight - panel.Image.Height) / 2f;
            canvas.DrawImage(panel.Image, MathF.Round(x), MathF.Round(y), new SKSamplingOptions(SKFilterMode.Nearest), paint);
        }
        return surface.Snapshot();
    }

    /// <summary>Images side by side, vertically centred (e.g. a heat grid and its colour bar).</summary>
    public static SKImage Row(IReadOnlyList<SKImage> images, int gap = 10)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("A row needs at least one image.", nameof(images));
        int width = images.Sum(i => i.Width) + gap * (images.Count + 1);
        int height = images.Max(i => i.Height) + 2 * gap;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {width}x{height} row.");
        surface.Canvas.Clear(Lettering.Paper);
        using var paint = new SKPaint();
        float x = gap;
        foreach (var image in images)
        {
            surface.Canvas.DrawImage(image, x, MathF.Round((height - image.Height) / 2f), new SKSamplingOptions(SKFilterMode.Nearest), paint);
            x += image.Width + gap;
        }
        return surface.Snapshot();
    }
}
