using Dsa.Visualization;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Visualization;

public class OffsetFieldRendererTests
{
    private static readonly SKColor Grey = new(100, 100, 100);

    /// <summary>[18, h, w] with every tap shifted by (dy, dx) feature pixels everywhere.</summary>
    private static Tensor Constant(int h, int w, float dy, float dx)
    {
        var off = zeros(18, h, w);
        for (int k = 0; k < 9; k++)
        {
            off[2 * k].fill_(dy);
            off[2 * k + 1].fill_(dx);
        }
        return off;
    }

    [Fact]
    public void SamplingPointsImageIsTheCropEnlargedByZoom()
    {
        using var crop = Pixels.Uniform(48, 64, Grey);
        using var off = Constant(16, 12, 0.5f, -0.5f);
        using var image = OffsetFieldRenderer.SamplingPoints(crop, off, new[] { (3, 4), (10, 7) }, stride: 4, zoom: 3f);
        Assert.Equal((144, 192), (image.Width, image.Height));
    }

    [Fact]
    public void DeformedPositionsReadChannel2kAsRowAnd2kPlus1AsColumn()
    {
        using var off = zeros(18, 5, 5);
        off[2 * 5, 2, 2] = tensor(0.25f);     // tap 5 = (i 1, j 2): regular (0, +1); row shift
        off[2 * 5 + 1, 2, 2] = tensor(-1.5f); // column shift
        var regular = OffsetFieldRenderer.RegularPositions(2, 2);
        var deformed = OffsetFieldRenderer.DeformedPositions(off, 2, 2);
        Assert.Equal((2.0, 3.0), regular[5]);
        Assert.Equal((2.25, 1.5), deformed[5]);
        Assert.Equal((1.0, 1.0), deformed[0]); // untouched tap 0 stays at (-1, -1)
        var dilated = OffsetFieldRenderer.DeformedPositions(off, 2, 2, dilation: 2);
        Assert.Equal((2.25, 2.5), dilated[5]);  // regular (0, +2) plus the same offset
        Assert.Equal((0.0, 0.0), dilated[0]);
    }

    [Fact]
    public void DownwardOffsetDrawsPointsAndArrowHeadsBelowTheRegularGrid()
    {
        // Feature pixel (4, 4), stride 16, zoom 1: regular taps at canvas rows y0 - 16, y0, y0 + 16;
        // an offset of +2 rows puts the deformed taps at y0 + 16, y0 + 32, y0 + 48.
        const int stride = 16;
        using var crop = Pixels.Uniform(9 * stride, 9 * stride, Grey);
        using var off = Constant(9, 9, 2f, 0f);
        using var image = OffsetFieldRenderer.SamplingPoints(crop, off, new[] { (4, 4) }, stride, zoom: 1f);
        var px = Pixels.All(image);
        var centre = Raster(4, 4, stride);
        int x0 = (int)centre.X, y0 = (int)centre.Y;
        bool Drawn(int x, int y) => Pixels.Distance(px[y, x], Grey) > 40;

        // The lowest deformed point (tap row +1 moved down 2) is filled; its mirror above the grid is empty.
        Assert.True(Drawn(x0, y0 + 48), "deformed point 3 feature pixels below the centre should be drawn");
        Assert.False(Drawn(x0, y0 - 48), "nothing should be drawn 3 feature pixels above the centre");
        Assert.False(Drawn(x0, y0 - 32), "nothing should be drawn 2 feature pixels above the centre");

        // Arrowhead of the bottom-row arrow (y0 + 16 -> y0 + 48): wide just above the deformed point.
        // A reversed arrow would have its head beside the top regular point (y0 - 16) instead.
        int nearTip = CountBeside(px, x0, y0 + 38, y0 + 44);
        int nearTail = CountBeside(px, x0, y0 - 12, y0 - 6);
        Assert.True(nearTip >= 4, $"arrowhead pixels beside the line near the tip: {nearTip}");
        Assert.Equal(0, nearTail);
    }

    /// <summary>
    /// Drawn pixels 2.5-3.5 px left and right of the vertical line at canvas x = x0 (pixel
    /// centres sit at k + 0.5), between rows y1..y2: outside the line and its dark halo, inside an arrowhead.
    /// </summary>
    private static int CountBeside(SKColor[,] px, int x0, int y1, int y2)
    {
        int count = 0;
        for (int y = y1; y <= y2; y++)
            foreach (int x in new[] { x0 - 4, x0 - 3, x0 + 2, x0 + 3 })
                if (Pixels.Distance(px[y, x], Grey) > 40) count++;
        return count;
    }

    /// <summary>Skia pixel index holding the centre of feature pixel (row, col) (crop centre 16 i + 7.5).</summary>
    private static SKPoint Raster(int row, int col, int stride) =>
        new((float)FeatureCoordinates.ToCrop(col, stride) + 0.5f, (float)FeatureCoordinates.ToCrop(row, stride) + 0.5f);

    [Fact]
    public void SamplingDetailIsAZoomedWindowCentredOnThePixel()
    {
        using var crop = Pixels.Uniform(40, 40, Grey);
        using var off = Constant(10, 10, 0f, 1.5f);            // every tap 1.5 feature pixels right
        using var detail = OffsetFieldRenderer.SamplingDetail(crop, off, (5, 5), radius: 2, stride: 4, zoom: 10f);
        Assert.Equal((200, 200), (detail.Width, detail.Height)); // 5 feature pixels x 4 x 10
        var px = Pixels.All(detail);
        // The window centre is the pixel's centre (feature (5, 5) -> canvas 100, 100); its deformed
        // tap is 1.5 * 40 = 60 px to the right; nothing sits 60 px to the left.
        Assert.True(Pixels.Distance(px[100, 160], Grey) > 40, "centre tap's deformed point should be drawn to the right");
        Assert.Equal(Grey, px[100, 40]);
    }

    [Theory]
    [InlineData(0f, 1f)]   // right
    [InlineData(1f, 0f)]   // down
    [InlineData(0f, -1f)]  // left
    [InlineData(-1f, 0f)]  // up
    [InlineData(1f, 1f)]   // down-right
    public void DenseFieldHueEqualsTheLegendHueForThatDirection(float dy, float dx)
    {
        using var off = Constant(6, 5, 2.5f * dy, 2.5f * dx);
        using var field = OffsetFieldRenderer.DenseField(off, scale: 4);
        Assert.Equal((20, 24), (field.Width, field.Height));
        var colour = Pixels.At(field, 10, 10);
        colour.ToHsv(out float fieldHue, out float fieldSat, out float fieldValue);
        Assert.InRange(fieldValue, 99f, 100f);  // constant field: every pixel has the max magnitude
        Assert.InRange(fieldSat, 99f, 100f);

        const int size = 101;
        using var legend = OffsetFieldRenderer.ColourWheelLegend(size);
        Assert.Equal((size, size), (legend.Width, legend.Height));
        double norm = Math.Sqrt(dy * dy + dx * dx);
        int lx = (int)Math.Round(50 + 40 * dx / norm), ly = (int)Math.Round(50 + 40 * dy / norm);
        Pixels.At(legend, lx, ly).ToHsv(out float legendHue, out _, out _);
        double diff = Math.Abs(fieldHue - legendHue);
        Assert.True(Math.Min(diff, 360 - diff) < 3, $"field hue {fieldHue} vs legend hue {legendHue}");
    }

    [Fact]
    public void DenseFieldDirectionsHaveDistinctHues()
    {
        var hues = new List<float>();
        foreach (var (dy, dx) in new[] { (0f, 1f), (1f, 0f), (0f, -1f), (-1f, 0f) })
        {
            using var off = Constant(2, 2, dy, dx);
            using var field = OffsetFieldRenderer.DenseField(off, scale: 1);
            Pixels.At(field, 0, 0).ToHsv(out float hue, out _, out _);
            hues.Add(hue);
        }
        for (int i = 0; i < 4; i++)
        {
            double d = Math.Abs(hues[i] - hues[(i + 1) % 4]);
            Assert.InRange(Math.Min(d, 360 - d), 80, 100); // a quarter turn of direction = a quarter turn of hue
        }
    }

    [Fact]
    public void DenseFieldScalesBrightnessByTheMaximumMagnitude()
    {
        using var off = zeros(18, 1, 2);
        off[1, 0, 0] = tensor(9f);  // tap 0 only: mean over 9 taps = 1 column right
        off[1, 0, 1] = tensor(4.5f);
        using var mean = OffsetFieldRenderer.DenseField(off, scale: 1);
        Pixels.At(mean, 0, 0).ToHsv(out _, out _, out float v0);
        Pixels.At(mean, 1, 0).ToHsv(out _, out _, out float v1);
        Assert.InRange(v0, 99f, 100f);
        Assert.InRange(v1, 48f, 52f);
        using var tap4 = OffsetFieldRenderer.DenseField(off, tap: 4, scale: 1); // untouched tap: no motion, black
        Assert.Equal(SKColors.Black, Pixels.At(tap4, 0, 0));
    }

    [Fact]
    public void MaskHeatShowsNinePanelsAndAColourBar()
    {
        using var mask = full(9, 6, 5, 1f);
        using var image = OffsetFieldRenderer.MaskHeat(mask, scale: 4);
        Assert.True(image.Width > 3 * 20 + 30 && image.Height > 3 * 24, $"{image.Width}x{image.Height}");
        // Somewhere a panel pixel has viridis(1), the colour of mask 1.
        var px = Pixels.All(image);
        var top = Viridis.At(1);
        Assert.Contains(px.Cast<SKColor>(), c => Pixels.Distance(c, top) <= 1);
    }

    [Fact]
    public void WrongOffsetShapeIsRejectedWithTheShapeInTheMessage()
    {
        using var crop = Pixels.Uniform(16, 16, Grey);
        using var off = zeros(9, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => OffsetFieldRenderer.SamplingPoints(crop, off, new[] { (1, 1) }));
        Assert.Contains("[9, 4, 4]", e.Message);
        Assert.Contains("offset", e.Message);
    }

    [Fact]
    public void ASharedScaleMakesASmallFieldFaintWhereItsOwnMaximumWouldMakeItBright()
    {
        using var small = Constant(6, 5, 0.2f, 0f);   // 0.2 feature px down, every tap
        Assert.Equal(0.2, OffsetFieldRenderer.MaxMagnitude(small), 5);
        using var own = OffsetFieldRenderer.DenseField(small, scale: 1);
        using var shared = OffsetFieldRenderer.DenseField(small, scale: 1, maxMagnitude: 1.6);
        Pixels.At(own, 2, 2).ToHsv(out _, out _, out float ownValue);
        Pixels.At(shared, 2, 2).ToHsv(out _, out _, out float sharedValue);
        Assert.InRange(ownValue, 99f, 100f);
        Assert.InRange(sharedValue, 11.5f, 13.5f); // 0.2 / 1.6 = 12.5 %
        Assert.Throws<ArgumentOutOfRangeException>(() => OffsetFieldRenderer.DenseField(small, maxMagnitude: 0));
    }

    [Fact]
    public void TheScaleLegendIsTheWheelWithItsRimValueUnderIt()
    {
        using var legend = OffsetFieldRenderer.ScaleLegend(120, 0.34);
        using var wheel = OffsetFieldRenderer.ColourWheelLegend(120);
        Assert.True(legend.Height > wheel.Height + 10, "no room for the scale's two lines");
        Assert.True(legend.Width >= wheel.Width);
        // The centre of the wheel (zero motion: black) sits at the top centre of the legend.
        var centre = Pixels.At(legend, legend.Width / 2, 60);
        Assert.True(centre.Red < 40 && centre.Green < 40 && centre.Blue < 40, $"centre is {centre}");
    }
}
