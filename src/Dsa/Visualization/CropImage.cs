using SkiaSharp;
using static TorchSharp.torch;

namespace Dsa.Visualization;

/// <summary>Turns a network input crop back into a picture.</summary>
public static class CropImage
{
    /// <summary>ImageNet statistics used to normalise the crops (RGB order), as torchvision's HRNet pipeline does.</summary>
    public static IReadOnlyList<double> Mean { get; } = new[] { 0.485, 0.456, 0.406 };
    public static IReadOnlyList<double> Std { get; } = new[] { 0.229, 0.224, 0.225 };

    /// <summary>
    /// Un-normalises a crop [3, H, W] (x * std + mean per RGB channel), clamps to [0, 1] and
    /// returns an opaque H x W image.
    /// </summary>
    public static SKImage FromNormalisedTensor(Tensor crop)
    {
        var t = HostTensor.Read(crop, nameof(crop), channels: 3);
        var colours = new SKColor[t.Height * t.Width];
        for (int y = 0; y < t.Height; y++)
            for (int x = 0; x < t.Width; x++)
                colours[y * t.Width + x] = new SKColor(Channel(t, 0, y, x), Channel(t, 1, y, x), Channel(t, 2, y, x));
        return Raster.FromColours(colours, t.Width, t.Height);
    }

    private static byte Channel(HostTensor t, int c, int y, int x)
    {
        double v = t[c, y, x] * Std[c] + Mean[c];
        return (byte)Math.Round(Math.Clamp(v, 0, 1) * 255);
    }

    /// <summary>
    /// The image enlarged by <paramref name="zoom"/> with nearest-neighbour sampling: the size the
    /// overlay pictures use (e.g. <see cref="OffsetFieldRenderer.SamplingPoints"/> at zoom 3), so a
    /// plain crop can stand beside them at the same scale.
    /// </summary>
    public static SKImage Enlarge(SKImage image, float zoom)
    {
        using var surface = Raster.Canvas(image, zoom);
        return surface.Snapshot();
    }
}
