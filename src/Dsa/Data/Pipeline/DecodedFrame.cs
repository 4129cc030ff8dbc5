namespace Dsa.Data.Pipeline;

/// <summary>A decoded frame as managed RGBA bytes (premultiplied; opaque for JPEG/PNG frames without alpha), row-major, 4 * Width bytes per row.</summary>
public sealed record DecodedFrame(string Path, byte[] Rgba, int Width, int Height)
{
    public long SizeInBytes => Rgba.LongLength;
}
