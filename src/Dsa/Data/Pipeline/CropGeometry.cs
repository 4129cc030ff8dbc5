namespace Dsa.Data.Pipeline;

/// <summary>
/// The top-down crop of one person: a centre and a size in image pixels, already padded to the network
/// input's aspect ratio, plus an in-plane rotation. HRNet stores the size as "scale" in units of
/// pixel_std = 200 px; we keep plain pixels (<see cref="ScaleInPixelStd"/> gives HRNet's number) so a
/// box never needs a magic constant to be read.
/// </summary>
/// <param name="CentreX">Crop centre x in image pixels.</param>
/// <param name="CentreY">Crop centre y in image pixels.</param>
/// <param name="Width">Crop width in image pixels (HRNet: scale[0] * 200).</param>
/// <param name="Height">Crop height in image pixels (HRNet: scale[1] * 200).</param>
/// <param name="RotationDegrees">Counter-clockwise rotation of the crop in degrees (HRNet's r).</param>
public readonly record struct CropGeometry(double CentreX, double CentreY, double Width, double Height, double RotationDegrees = 0)
{
    /// <summary>HRNet's pixel_std: the unit of its "scale".</summary>
    public const double PixelStd = 200.0;

    /// <summary>The paper's enlargement: "the bounding box is enlarged by 25%" (HRNet's scale * 1.25).</summary>
    public const double DefaultPadding = 1.25;

    public (double X, double Y) ScaleInPixelStd => (Width / PixelStd, Height / PixelStd);

    /// <summary>
    /// HRNet's _box2cs / _xywh2cs: centre of the box, the shorter side grown until w/h equals the input's
    /// aspect ratio (width/height, e.g. 288/384), then both sides multiplied by <paramref name="padding"/>.
    /// </summary>
    public static CropGeometry FromBox(Box box, double aspectRatio, double padding = DefaultPadding)
    {
        if (!double.IsFinite(box.X1) || !double.IsFinite(box.Y1) || !double.IsFinite(box.X2) || !double.IsFinite(box.Y2))
            throw new ArgumentException($"Box {box} has a non-finite coordinate.", nameof(box));
        if (box.Width <= 0 || box.Height <= 0)
            throw new ArgumentException($"Box {box} has zero or negative size ({box.Width} x {box.Height}).", nameof(box));
        if (!(aspectRatio > 0)) throw new ArgumentOutOfRangeException(nameof(aspectRatio), aspectRatio, "must be positive");
        double w = box.Width, h = box.Height;
        if (w > aspectRatio * h) h = w / aspectRatio;
        else w = h * aspectRatio;
        return new CropGeometry(box.X1 + box.Width * 0.5, box.Y1 + box.Height * 0.5, w * padding, h * padding);
    }

    /// <summary>
    /// HRNet's get_affine_transform: three point pairs (the centre, a point half a crop-width "up" from it
    /// rotated by the rotation, and the point a right angle from those two) mapped to the output's centre,
    /// its top-middle and the matching third point. Only the crop's width enters (as in HRNet); the
    /// height follows from the output's aspect ratio, which FromBox has already matched.
    /// </summary>
    /// <param name="outputWidth">Output (network input or heatmap) width in pixels.</param>
    /// <param name="outputHeight">Output height in pixels.</param>
    /// <param name="shiftX">HRNet's shift, as a fraction of the crop size (0 in practice).</param>
    /// <param name="inverse">True: output -&gt; image (HRNet inv=1); false: image -&gt; output.</param>
    public AffineTransform ToAffine(int outputWidth, int outputHeight, double shiftX = 0, double shiftY = 0, bool inverse = false)
    {
        if (!(Width > 0) || !(Height > 0))
            throw new InvalidOperationException($"Crop {this} has zero or negative size.");
        double rad = Math.PI * RotationDegrees / 180.0;
        double sn = Math.Sin(rad), cs = Math.Cos(rad);
        // get_dir([0, -w/2], rot): rotate the "up" half-width vector.
        double srcDirX = -(-Width * 0.5) * sn, srcDirY = (-Width * 0.5) * cs;
        double shiftPxX = Width * shiftX, shiftPxY = Height * shiftY;
        var src0 = (X: CentreX + shiftPxX, Y: CentreY + shiftPxY);
        var src1 = (X: src0.X + srcDirX, Y: src0.Y + srcDirY);
        var dst0 = (X: outputWidth * 0.5, Y: outputHeight * 0.5);
        var dst1 = (X: dst0.X, Y: dst0.Y - outputWidth * 0.5);
        ReadOnlySpan<(double, double)> src = [src0, src1, ThirdPoint(src0, src1)];
        ReadOnlySpan<(double, double)> dst = [dst0, dst1, ThirdPoint(dst0, dst1)];
        return inverse ? AffineTransform.FromThreePoints(dst, src) : AffineTransform.FromThreePoints(src, dst);
    }

    /// <summary>HRNet's get_3rd_point: b + (a - b) rotated by 90 degrees.</summary>
    private static (double X, double Y) ThirdPoint((double X, double Y) a, (double X, double Y) b)
    {
        double dx = a.X - b.X, dy = a.Y - b.Y;
        return (b.X - dy, b.Y + dx);
    }
}
