using Dsa.Data.Pipeline;
using Dsa.Visualization;
using Dsa.Workflows;
using SkiaSharp;

namespace Dsa.Reports;

/// <summary>The pictures of a `dsa predict` run: each frame with its predicted skeletons (and the detector's boxes, when they were used).</summary>
public static class PredictionOverlays
{
    /// <summary>Writes one PNG per frame of <paramref name="result"/> to <paramref name="dir"/>, named after the frame's file; returns the paths.</summary>
    public static IReadOnlyList<string> Write(VideoPredictionResult result, string dir)
    {
        Directory.CreateDirectory(dir);
        var written = new List<string>(result.FrameFiles.Count);
        foreach (var frame in result.Predictions.Frames)
        {
            string file = result.FrameFiles[frame.FrameIndex];
            using var bitmap = AffineCrop.DecodeFrame(file, $"the overlay of frame {frame.FrameIndex}");
            using var overlay = PoseOverlayRenderer.Render(bitmap, frame, detections: result.Detections?.GetValueOrDefault(frame.FrameIndex));
            using var image = SKImage.FromBitmap(overlay);
            string path = Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".png");
            Png.Save(image, path);
            written.Add(path);
        }
        return written;
    }
}
