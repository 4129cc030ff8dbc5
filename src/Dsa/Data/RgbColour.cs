namespace Dsa.Data;

/// <summary>An opaque sRGB colour, so that the skeleton (a data contract) does not depend on a drawing library;
/// Visualization turns it into SkiaSharp's colour.</summary>
public readonly record struct RgbColour(byte R, byte G, byte B);
