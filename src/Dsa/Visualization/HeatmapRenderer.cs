using Dsa.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dsa.Visualization;

/// <summary>
/// Joint heatmaps [J, h, w] (h, w = crop / stride) drawn over the crop. Each heatmap pixel
/// covers a stride x stride block of the crop (<see cref="FeatureCoordinates"/>), so the overlay
/// uses nearest-neighbour blocks rather than smoothing the peak away.
/// </summary>
public static class HeatmapRenderer
{
    /// <summary>
    /// The crop with one joint's heatmap (or, by default, the maximum over joints) in viridis,
    /// opacity growing with the value up to <paramref name="maxAlpha"/>. Values are divided by
    /// the map's maximum when <paramref name="normalise"/> (predictions rarely peak at exactly 1).
    /// </summary>
    public static SKImage Overlay(SKImage crop, Tensor heatmaps, int? joint = null, int stride = 4, bool normalise = true,
        double maxAlpha = 0.75)
    {
        ArgumentNullException.ThrowIfNull(crop);
        var maps = HostTensor.Read(heatmaps, nameof(heatmaps));
        Raster.CheckCropMatches(crop, maps.Height, maps.Width, stride, nameof(heatmaps));
        if (joint is int j && (j < 0 || j >= maps.Channels))
            throw new ArgumentOutOfRangeException(nameof(joint), j, $"Joint index outside 0..{maps.Channels - 1}.");
        var plane = Plane(maps, joint);
        return Draw(crop, plane, maps.Width, maps.Height, stride, normalise, maxAlpha);
    }

    /// <summary>
    /// One panel per joint (the crop with that joint's heatmap), titled with the skeleton's joint
    /// names, in a grid of <paramref name="columns"/> columns.
    /// </summary>
    public static SKImage JointGrid(SKImage crop, Tensor heatmaps, Skeleton? skeleton = null, int columns = 5, int stride = 4, bool normalise = true)
    {
        ArgumentNullException.ThrowIfNull(crop);
        skeleton ??= Skeleton.PoseTrack;
        var maps = HostTensor.Read(heatmaps, nameof(heatmaps));
        Raster.CheckCropMatches(crop, maps.Height, maps.Width, stride, nameof(heatmaps));
        if (maps.Channels != skeleton.Count)
            throw new ArgumentException($"heatmaps: {maps.Channels} joints, but the skeleton has {skeleton.Count}.", nameof(heatmaps));
        var panels = new List<MontagePanel>();
        try
        {
            for (int j = 0; j < maps.Channels; j++)
                panels.Add(new MontagePanel(skeleton.Joints[j].Name, Draw(crop, Plane(maps, j), maps.Width, maps.Height, stride, normalise, 0.75)));
            return Montage.Grid(panels, columns);
        }
        finally
        {
            foreach (var p in panels) p.Image.Dispose();
        }
    }

    private static float[] Plane(HostTensor maps, int? joint)
    {
        int n = maps.Height * maps.Width;
        var plane = new float[n];
        if (joint is int j)
        {
            Array.Copy(maps.Data, j * n, plane, 0, n);
            return plane;
        }
        Array.Fill(plane, float.NegativeInfinity);
        for (int c = 0; c < maps.Channels; c++)
            for (int i = 0; i < n; i++) plane[i] = Math.Max(plane[i], maps.Data[c * n + i]);
        return plane;
    }

    private static SKImage Draw(SKImage crop, float[] plane, int width, int height, int stride, bool normalise, double maxAlpha)
    {
        double top = normalise ? Math.Max(plane.Max(), 1e-12f) : 1.0;
        var colours = plane.Select(v =>
        {
            double t = Math.Clamp(v / top, 0, 1);
            return Viridis.At(t).WithAlpha((byte)Math.Round(255 * maxAlpha * t));
        }).ToArray();
        using var heat = Raster.FromColours(colours, width, height, stride);
        using var surface = Raster.Canvas(crop, 1f);
        using var paint = new SKPaint();
        surface.Canvas.DrawImage(heat, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), paint);
        return surface.Snapshot();
    }
}
