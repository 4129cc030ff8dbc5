using SkiaSharp;

namespace Dsa.Data.Pipeline;

/// <summary>
/// Frame decoding and the top-down crop: HRNet's cv2.warpAffine(..., INTER_LINEAR) of a frame by the
/// crop's affine, done with SkiaSharp (canvas matrix + bilinear sampling), then the ToTensor + ImageNet
/// Normalize of torchvision, into a float [3, H, W] RGB plane set.
/// </summary>
public static class AffineCrop
{
    /// <summary>ImageNet RGB mean and standard deviation (torchvision's Normalize in HRNet's loaders).</summary>
    public static IReadOnlyList<float> Mean { get; } = [0.485f, 0.456f, 0.406f];
    public static IReadOnlyList<float> Std { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>
    /// Decodes a JPEG/PNG frame. <paramref name="sampleDescription"/> (e.g. "video 003418, frame 12,
    /// person 2") goes into the exception so a bad file in a long run can be found.
    /// </summary>
    public static SKBitmap DecodeFrame(string path, string sampleDescription)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Frame file '{path}' is missing (needed by {sampleDescription}).", path);
        SKBitmap? bitmap = null;
        SKCodecResult result;
        try
        {
            // What SKBitmap.Decode does (premultiplied alpha, no colour space), except that it keeps a
            // bitmap whose data ended early (IncompleteInput): a truncated JPEG would train and score
            // with a grey lower half.
            using var codec = SKCodec.Create(path, out result);
            if (codec is not null)
            {
                var info = codec.Info;
                if (info.AlphaType == SKAlphaType.Unpremul) info.AlphaType = SKAlphaType.Premul;
                info.ColorSpace = null;
                bitmap = new SKBitmap(info);
                result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            bitmap?.Dispose();
            throw new InvalidDataException($"Frame file '{path}' could not be decoded (needed by {sampleDescription}): {e.Message}", e);
        }
        if (result == SKCodecResult.IncompleteInput)
        {
            bitmap?.Dispose();
            throw new InvalidDataException($"Frame file '{path}' is truncated: only part of the image could be decoded (needed by {sampleDescription}).");
        }
        if (bitmap is null || result != SKCodecResult.Success || bitmap.Width <= 0 || bitmap.Height <= 0)
        {
            bitmap?.Dispose();
            throw new InvalidDataException($"Frame file '{path}' is not a readable JPEG/PNG image ({result}; needed by {sampleDescription}).");
        }
        return bitmap;
    }

    /// <summary>Decodes a frame into managed RGBA bytes (what <see cref="FrameCache"/> keeps).</summary>
    public static DecodedFrame DecodeRgba(string path, string sampleDescription)
    {
        using var bitmap = DecodeFrame(path, sampleDescription);
        var info = new SKImageInfo(bitmap.Width, bitmap.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var rgba = new byte[info.BytesSize];
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(rgba, System.Runtime.InteropServices.GCHandleType.Pinned);
        try
        {
            using var pixmap = bitmap.PeekPixels();
            if (pixmap is null || !pixmap.ReadPixels(info, handle.AddrOfPinnedObject(), info.RowBytes, 0, 0))
                throw new InvalidDataException($"Frame file '{path}' could not be converted to RGBA (needed by {sampleDescription}).");
        }
        finally { handle.Free(); }
        return new DecodedFrame(path, rgba, bitmap.Width, bitmap.Height);
    }

    /// <summary>Warps a decoded frame (see the SKBitmap overload).</summary>
    public static SKBitmap Warp(DecodedFrame source, AffineTransform imageToCrop, int width, int height)
    {
        var info = new SKImageInfo(source.Width, source.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(source.Rgba, System.Runtime.InteropServices.GCHandleType.Pinned);
        try
        {
            // No copy: the image reads the pinned array while it is drawn.
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var image = SKImage.FromPixels(pixmap);
            return Warp(image, imageToCrop, width, height);
        }
        finally { handle.Free(); }
    }

    /// <summary>
    /// Warps <paramref name="source"/> by <paramref name="imageToCrop"/> into a new width x height RGBA
    /// bitmap; pixels that fall outside the frame are black, like warpAffine's zero border.
    /// </summary>
    public static SKBitmap Warp(SKBitmap source, AffineTransform imageToCrop, int width, int height)
    {
        using var image = SKImage.FromBitmap(source);
        return Warp(image, imageToCrop, width, height);
    }

    private static SKBitmap Warp(SKImage image, AffineTransform imageToCrop, int width, int height)
    {
        var output = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(output);
        canvas.Clear(SKColors.Black);
        canvas.SetMatrix(ToSkiaMatrix(imageToCrop));
        using var paint = new SKPaint { IsAntialias = false };
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
        canvas.Flush();
        return output;
    }

    /// <summary>
    /// OpenCV puts pixel i's centre at coordinate i, Skia at i + 0.5; conjugating by a half-pixel shift makes
    /// Skia sample exactly where warpAffine does: M_skia(p) = M(p - 0.5) + 0.5.
    /// </summary>
    public static SKMatrix ToSkiaMatrix(AffineTransform m) => new(
        (float)m.M00, (float)m.M01, (float)(m.M02 - 0.5 * (m.M00 + m.M01) + 0.5),
        (float)m.M10, (float)m.M11, (float)(m.M12 - 0.5 * (m.M10 + m.M11) + 0.5),
        0, 0, 1);

    /// <summary>Writes an RGBA bitmap as normalised RGB floats into <paramref name="chw"/> [3, H, W].</summary>
    public static void ToNormalizedChw(SKBitmap bitmap, Span<float> chw)
    {
        int w = bitmap.Width, h = bitmap.Height, plane = w * h;
        if (chw.Length != 3 * plane) throw new ArgumentException($"Need {3 * plane} floats for a 3x{h}x{w} image; got {chw.Length}.");
        if (bitmap.ColorType != SKColorType.Rgba8888)
            throw new ArgumentException($"Expected an Rgba8888 bitmap (from Warp); got {bitmap.ColorType}.");
        ReadOnlySpan<byte> px = bitmap.GetPixelSpan();
        int rowBytes = bitmap.RowBytes;
        float sr = 1f / (255f * Std[0]), sg = 1f / (255f * Std[1]), sb = 1f / (255f * Std[2]);
        float mr = Mean[0] / Std[0], mg = Mean[1] / Std[1], mb = Mean[2] / Std[2];
        for (int y = 0; y < h; y++)
        {
            var row = px.Slice(y * rowBytes, w * 4);
            int o = y * w;
            for (int x = 0; x < w; x++)
            {
                chw[o + x] = row[4 * x] * sr - mr;
                chw[plane + o + x] = row[4 * x + 1] * sg - mg;
                chw[2 * plane + o + x] = row[4 * x + 2] * sb - mb;
            }
        }
    }
}
