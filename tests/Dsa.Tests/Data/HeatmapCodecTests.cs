using Dsa.Data.Pipeline;
using TorchSharp;

namespace Dsa.Tests.Data;

public class HeatmapCodecTests
{
    // Joints at least `margin` heatmap pixels inside the border: HRNet's quarter shift needs both neighbours.
    private static (double X, double Y)[] RandomJoints(Random rng, int n, HeatmapCodec codec, int margin) =>
        Enumerable.Range(0, n).Select(_ => (margin * codec.StrideX + rng.NextDouble() * (codec.InputWidth - (2 * margin + 1) * codec.StrideX),
            margin * codec.StrideY + rng.NextDouble() * (codec.InputHeight - (2 * margin + 1) * codec.StrideY))).ToArray();

    private static double MaxAndMeanError(HeatmapCodec codec, int trials, int margin, out double mean)
    {
        var rng = new Random(3);
        double worst = 0, sum = 0;
        int count = 0;
        for (int t = 0; t < trials; t++)
        {
            var joints = RandomJoints(rng, 15, codec, margin);
            var vis = Enumerable.Repeat(1f, 15).ToArray();
            var (target, weights) = codec.Encode(joints, vis);
            Assert.All(weights, w => Assert.Equal(1f, w));
            var decoded = codec.Decode(target, 15);
            for (int j = 0; j < 15; j++)
            {
                // Error in heatmap pixels.
                double e = Math.Sqrt(Math.Pow((decoded[j].X - joints[j].X) / codec.StrideX, 2) + Math.Pow((decoded[j].Y - joints[j].Y) / codec.StrideY, 2));
                worst = Math.Max(worst, e); sum += e; count++;
            }
        }
        mean = sum / count;
        return worst;
    }

    [Fact]
    public void EncodeThenDarkDecodeIsWithin03HeatmapPixelsOnRandomJoints()
    {
        // DARK's blur pads with zeros (as MMPose), which biases joints within about 3 sigma of the edge;
        // the bound holds beyond that.
        var codec = new HeatmapCodec(192, 256, 48, 64, sigma: 2, subpixelCentre: true, useDark: true);
        double worst = MaxAndMeanError(codec, 20, 7, out double mean);
        Assert.True(worst < 0.3, $"worst {worst:F3} px, mean {mean:F3}");
        Assert.True(mean < 0.1, $"mean {mean:F3} px");
    }

    [Fact]
    public void EncodeThenQuarterOffsetDecodeIsWithinAQuarterPixelPerAxis()
    {
        // HRNet's own pair (rounded centre, quarter-pixel shift) is exact to 1/2 px per axis at worst.
        var hrnet = new HeatmapCodec(192, 256, 48, 64);
        double worst = MaxAndMeanError(hrnet, 20, 2, out double mean);
        Assert.True(worst <= 0.5 * Math.Sqrt(2) + 1e-9, $"worst {worst:F3} px");
        // With sub-pixel centres the quarter shift points the right way: per axis at most 1/4 px off.
        var unbiased = new HeatmapCodec(192, 256, 48, 64, subpixelCentre: true);
        worst = MaxAndMeanError(unbiased, 20, 2, out mean);
        Assert.True(mean < 0.3, $"mean {mean:F3} px");
        Assert.True(worst <= 0.25 * Math.Sqrt(2) + 1e-9, $"worst {worst:F3} px");
    }

    [Fact]
    public void TargetHasPeakOneAtTheJointIsCutAtThreeSigmaAndZeroWeightOffTheHeatmap()
    {
        var codec = new HeatmapCodec(64, 64, 16, 16, sigma: 2);
        (double, double)[] joints = [(32, 32), (-60, 10), (300, 300), (10, 10)];
        var (target, weights) = codec.Encode(joints, new[] { 1f, 1f, 1f, 0f });
        Assert.Equal(new[] { 1f, 0f, 0f, 0f }, weights);
        Assert.Equal(1f, target[8 * 16 + 8]);
        Assert.Equal((float)Math.Exp(-1.0 / 8), target[8 * 16 + 9], 6);
        Assert.Equal(0f, target[8 * 16 + 15]); // 7 px away: beyond 3 sigma
        Assert.Equal(0f, target.Skip(256).Max()); // the other three planes are empty
    }

    [Fact]
    public void DecodeOfABatchTensorGoesBackToImagePixelsThroughTheInverseCrop()
    {
        var codec = new HeatmapCodec(96, 128, 24, 32, subpixelCentre: true, useDark: true);
        var crop = new CropGeometry(400, 250, 150, 200, 20);
        var imageToInput = crop.ToAffine(96, 128);
        (double X, double Y)[] imageJoints = [(390, 240), (420, 300), (380, 200)];
        var inputJoints = imageJoints.Select(imageToInput.Apply).ToArray();
        var (target, _) = codec.Encode(inputJoints, new[] { 1f, 1f, 1f });
        using var heatmaps = torch.tensor(target, new long[] { 1, 3, 32, 24 });
        var decoded = codec.Decode(heatmaps, new[] { imageToInput });
        for (int j = 0; j < 3; j++)
        {
            Assert.True(Math.Abs(decoded[0][j].X - imageJoints[j].X) < 0.3 * 4 * 200 / 96.0, $"joint {j}: {decoded[0][j]}");
            Assert.True(Math.Abs(decoded[0][j].Y - imageJoints[j].Y) < 0.3 * 4 * 200 / 96.0, $"joint {j}: {decoded[0][j]}");
            Assert.InRange(decoded[0][j].Score, 0.8, 1.0);
        }
        using var wrong = torch.zeros(1, 3, 10, 10);
        Assert.Throws<ArgumentException>(() => codec.Decode(wrong));
    }
}
