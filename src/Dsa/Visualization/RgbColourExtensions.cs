using Dsa.Data;
using SkiaSharp;

namespace Dsa.Visualization;

/// <summary>The data layer's colours in SkiaSharp's type.</summary>
public static class RgbColourExtensions
{
    public static SKColor ToSkia(this RgbColour colour) => new(colour.R, colour.G, colour.B);
}
