using Dsa.Data;
using Dsa.Visualization;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Visualization;

public class HeatmapRendererTests
{
    private static readonly SKColor Grey = new(120, 120, 120);

    [Fact]
    public void OverlayKeepsTheCropSizeAndColoursTheHeatmapBlockOfThePeak()
    {
        using var crop = Pixels.Uniform(32, 40, Grey);       // 40 x 32 crop, heatmaps 10 x 8
        using var maps = zeros(15, 10, 8);
        maps[3, 6, 2] = tensor(0.8f);                        // joint 3 peaks at feature (6, 2) -> crop block x 8..11, y 24..27
        maps[7, 1, 5] = tensor(0.4f);
        using var all = HeatmapRenderer.Overlay(crop, maps);
        Assert.Equal((32, 40), (all.Width, all.Height));
        var px = Pixels.All(all);
        Assert.True(Pixels.Distance(px[25, 9], Grey) > 60, "peak block of joint 3 should be coloured");
        Assert.True(Pixels.Distance(px[5, 21], Grey) > 20, "joint 7's block should be coloured in the max-over-joints view");
        Assert.Equal(Grey, px[0, 0]);
        Assert.Equal(Grey, px[28, 9]);                       // just below the peak block: untouched

        using var one = HeatmapRenderer.Overlay(crop, maps, joint: 7);
        Assert.Equal(Grey, Pixels.At(one, 9, 25));           // joint 3's peak is not in joint 7's map
        Assert.True(Pixels.Distance(Pixels.At(one, 21, 5), Grey) > 60); // normalised: joint 7's peak is full strength
    }

    [Fact]
    public void JointGridHasOnePanelPerJoint()
    {
        using var crop = Pixels.Uniform(24, 32, Grey);
        using var maps = rand(15, 8, 6);
        using var grid = HeatmapRenderer.JointGrid(crop, maps, columns: 5);
        Assert.True(grid.Width >= 5 * 24 && grid.Height >= 3 * 32, $"{grid.Width}x{grid.Height}");
        using var small = rand(15, 7, 6);
        var mismatch = Assert.Throws<ArgumentException>(() => HeatmapRenderer.Overlay(crop, small));
        Assert.Contains("24x28", mismatch.Message);   // what a 7x6 map covers at stride 4
        Assert.Contains("24x32", mismatch.Message);   // the crop it was given
        using var wrong = rand(14, 8, 6);
        var e = Assert.Throws<ArgumentException>(() => HeatmapRenderer.JointGrid(crop, wrong, Skeleton.PoseTrack));
        Assert.Contains("14", e.Message);
    }
}
