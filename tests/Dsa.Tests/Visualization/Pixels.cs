using SkiaSharp;

namespace Dsa.Tests.Visualization;

/// <summary>Reads rendered images back pixel by pixel.</summary>
internal static class Pixels
{
    public static SKColor At(SKImage image, int x, int y)
    {
        using var bitmap = SKBitmap.FromImage(image);
        return bitmap.GetPixel(x, y);
    }

    public static SKColor[,] All(SKImage image)
    {
        using var bitmap = SKBitmap.FromImage(image);
        var result = new SKColor[image.Height, image.Width];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++) result[y, x] = bitmap.GetPixel(x, y);
        return result;
    }

    public static int Distance(SKColor a, SKColor b) =>
        Math.Max(Math.Abs(a.Red - b.Red), Math.Max(Math.Abs(a.Green - b.Green), Math.Abs(a.Blue - b.Blue)));

    /// <summary>A uniform grey image to draw overlays on (anything drawn differs from it).</summary>
    public static SKImage Uniform(int width, int height, SKColor colour)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(colour);
        return surface.Snapshot();
    }
}
