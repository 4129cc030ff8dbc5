namespace Dsa.Visualization;

/// <summary>
/// The one mapping between feature-map pixels and crop pixels used by every renderer.
/// HRNet's heatmap/feature resolution is 1/4 of the crop (stride 4). Feature pixel (i, j)
/// covers crop pixels [s*i, s*i + s) x [s*j, s*j + s), so its centre is at crop pixel
/// (s*i + (s-1)/2, s*j + (s-1)/2) = (4i + 1.5, 4j + 1.5) for s = 4 (pixel centres at integers).
/// Fractional feature positions (deformable sampling points) map with the same affine rule, so
/// a displacement of d feature pixels is s*d crop pixels.
/// </summary>
public static class FeatureCoordinates
{
    /// <summary>Crop coordinate of a feature coordinate (row or column, possibly fractional).</summary>
    public static double ToCrop(double featureCoordinate, int stride) => stride * featureCoordinate + (stride - 1) / 2.0;

    /// <summary>Feature coordinate of a crop coordinate (the inverse of <see cref="ToCrop"/>).</summary>
    public static double ToFeature(double cropCoordinate, int stride) => (cropCoordinate - (stride - 1) / 2.0) / stride;
}
