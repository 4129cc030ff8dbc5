namespace Dsa.Data.Pipeline;

/// <summary>
/// A 2-D affine map as a 2x3 matrix: x' = M00 x + M01 y + M02, y' = M10 x + M11 y + M12 (the layout of
/// OpenCV's warpAffine matrices, which HRNet / MMPose build with get_affine_transform). Coordinates follow
/// OpenCV's convention: pixel (i, j) has its centre at (i, j).
/// </summary>
public readonly record struct AffineTransform(double M00, double M01, double M02, double M10, double M11, double M12)
{
    public static AffineTransform Identity { get; } = new(1, 0, 0, 0, 1, 0);

    public (double X, double Y) Apply(double x, double y) => (M00 * x + M01 * y + M02, M10 * x + M11 * y + M12);

    public (double X, double Y) Apply((double X, double Y) p) => Apply(p.X, p.Y);

    public double Determinant => M00 * M11 - M01 * M10;

    /// <summary>The inverse map; throws for a singular matrix (e.g. a zero-size crop).</summary>
    public AffineTransform Inverse()
    {
        double det = Determinant;
        if (Math.Abs(det) < 1e-12 || !double.IsFinite(det))
            throw new InvalidOperationException($"Affine transform {this} is singular (determinant {det}) and has no inverse.");
        double i00 = M11 / det, i01 = -M01 / det, i10 = -M10 / det, i11 = M00 / det;
        return new AffineTransform(i00, i01, -(i00 * M02 + i01 * M12), i10, i11, -(i10 * M02 + i11 * M12));
    }

    /// <summary>This map applied after <paramref name="first"/>: p -&gt; this(first(p)).</summary>
    public AffineTransform After(AffineTransform first) => new(
        M00 * first.M00 + M01 * first.M10, M00 * first.M01 + M01 * first.M11, M00 * first.M02 + M01 * first.M12 + M02,
        M10 * first.M00 + M11 * first.M10, M10 * first.M01 + M11 * first.M11, M10 * first.M02 + M11 * first.M12 + M12);

    /// <summary>
    /// The unique affine map taking three source points to three destination points (what OpenCV's
    /// getAffineTransform solves): M = D S^-1 with S = [x; y; 1] of the sources.
    /// </summary>
    public static AffineTransform FromThreePoints(ReadOnlySpan<(double X, double Y)> source, ReadOnlySpan<(double X, double Y)> destination)
    {
        if (source.Length != 3 || destination.Length != 3)
            throw new ArgumentException("An affine transform needs exactly three point pairs.");
        // S = [[x0 x1 x2] [y0 y1 y2] [1 1 1]]; invert by cofactors.
        double a = source[0].X, b = source[1].X, c = source[2].X;
        double d = source[0].Y, e = source[1].Y, f = source[2].Y;
        double det = a * (e - f) - b * (d - f) + c * (d - e);
        if (Math.Abs(det) < 1e-12)
            throw new ArgumentException("The three source points are collinear; no affine transform maps them.");
        // Columns of S^-1 (3x3), row-major inv[r, k].
        double[,] inv =
        {
            { (e - f) / det, (c - b) / det, (b * f - c * e) / det },
            { (f - d) / det, (a - c) / det, (c * d - a * f) / det },
            { (d - e) / det, (b - a) / det, (a * e - b * d) / det },
        };
        double Row(Func<int, double> dst, int col) => dst(0) * inv[0, col] + dst(1) * inv[1, col] + dst(2) * inv[2, col];
        var u = destination.ToArray();
        double U(int k) => u[k].X;
        double V(int k) => u[k].Y;
        return new AffineTransform(Row(U, 0), Row(U, 1), Row(U, 2), Row(V, 0), Row(V, 1), Row(V, 2));
    }

    public override string ToString() => $"[[{M00:G6}, {M01:G6}, {M02:G6}], [{M10:G6}, {M11:G6}, {M12:G6}]]";
}
