using Dsa.IO;
using SkiaSharp;

namespace Dsa.Visualization;

/// <summary>PNG encoding of rendered images (notebooks show bytes, reports save files).</summary>
public static class Png
{
    public static byte[] Encode(SKImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width}x{image.Height} image as PNG.");
        return data.ToArray();
    }

    /// <summary>Writes the PNG atomically (a half-written figure never replaces a good one).</summary>
    public static void Save(SKImage image, string path)
    {
        var bytes = Encode(image);
        AtomicFile.Write(path, s => s.Write(bytes));
    }
}
