using Dsa.Visualization;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Visualization;

public class CropImageTests
{
    [Fact]
    public void FromNormalisedTensorUndoesImageNetNormalisationAndClamps()
    {
        double[] mean = { 0.485, 0.456, 0.406 }, std = { 0.229, 0.224, 0.225 };
        using var t = zeros(3, 2, 3);
        // pixel (0, 0): RGB (1, 0.6, 0) normalised; pixel (1, 2): far out of range -> clamped.
        double[] rgb = { 1, 0.6, 0 };
        for (int c = 0; c < 3; c++)
        {
            t[c, 0, 0] = tensor((float)((rgb[c] - mean[c]) / std[c]));
            t[c, 1, 2] = tensor(c == 0 ? 100f : -100f);
        }
        using var image = CropImage.FromNormalisedTensor(t);
        Assert.Equal((3, 2), (image.Width, image.Height));
        Assert.Equal(new SKColor(255, 153, 0), Pixels.At(image, 0, 0));
        Assert.Equal(new SKColor(255, 0, 0), Pixels.At(image, 2, 1));
        // A zero tensor is the ImageNet mean colour.
        Assert.Equal(new SKColor(124, 116, 104), Pixels.At(image, 1, 0));
    }

    [Fact]
    public void EnlargeRepeatsEachPixelZoomTimes()
    {
        using var surface = SKSurface.Create(new SKImageInfo(2, 1));
        surface.Canvas.Clear(SKColors.Red);
        using (var paint = new SKPaint { Color = SKColors.Blue }) surface.Canvas.DrawRect(1, 0, 1, 1, paint);
        using var image = surface.Snapshot();
        using var big = CropImage.Enlarge(image, 3);
        Assert.Equal((6, 3), (big.Width, big.Height));
        Assert.Equal(SKColors.Red, Pixels.At(big, 2, 2));
        Assert.Equal(SKColors.Blue, Pixels.At(big, 3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CropImage.Enlarge(image, 0));
    }

    [Fact]
    public void FromNormalisedTensorRejectsBatchesAndNaN()
    {
        using var batch = zeros(1, 3, 4, 4);
        Assert.Contains("slice the batch", Assert.Throws<ArgumentException>(() => CropImage.FromNormalisedTensor(batch)).Message);
        using var bad = zeros(3, 4, 4);
        bad[1, 2, 3] = tensor(float.NaN);
        var e = Assert.Throws<ArgumentException>(() => CropImage.FromNormalisedTensor(bad));
        Assert.Contains("channel 1, row 2, column 3", e.Message);
    }

    [Fact]
    public void FeatureCoordinatesPutFeaturePixelCentresAtTheirStrideBlockCentres()
    {
        Assert.Equal(1.5, FeatureCoordinates.ToCrop(0, 4));
        Assert.Equal(4 * 7 + 1.5, FeatureCoordinates.ToCrop(7, 4));
        Assert.Equal(7.0, FeatureCoordinates.ToFeature(FeatureCoordinates.ToCrop(7, 4), 4));
    }

    [Fact]
    public void PngEncodesAndSavesADecodableImage()
    {
        using var image = Pixels.Uniform(7, 5, SKColors.Teal);
        var bytes = Png.Encode(image);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        var path = Path.Combine(Path.GetTempPath(), $"png-{Guid.NewGuid():N}.png");
        try
        {
            Png.Save(image, path);
            using var decoded = SKImage.FromEncodedData(path);
            Assert.Equal((7, 5), (decoded.Width, decoded.Height));
            Assert.Equal(SKColors.Teal, Pixels.At(decoded, 3, 2));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ViridisRunsFromDarkPurpleToYellowAndTheColourBarIsLabelled()
    {
        Assert.Equal(new SKColor(68, 1, 84), Viridis.At(0));
        Assert.Equal(new SKColor(33, 145, 140), Viridis.At(0.5));
        Assert.Equal(new SKColor(253, 231, 37), Viridis.At(1));
        Assert.Equal(Viridis.At(1), Viridis.At(7));
        using var bar = Viridis.ColourBar(100, 0, 2.5, "distance");
        Assert.True(bar.Height > 100 && bar.Width > 40, $"{bar.Width}x{bar.Height}");
    }
}
