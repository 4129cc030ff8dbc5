using Dsa.Data;
using SkiaSharp;

namespace Dsa.Visualization;

/// <summary>
/// Draws a frame's annotated (or predicted) people over the frame: person boxes, head boxes, limbs in
/// the skeleton's colours, joints (filled when visible, hollow when marked occluded) and track ids.
/// Returns a new bitmap; the caller saves or shows it.
/// </summary>
public static class PoseOverlayRenderer
{
    /// <summary>The largest output side (16384, SkiaSharp's usual texture limit; a 1920x1080 frame at 8x).</summary>
    public const int MaxSide = 16384;

    /// <param name="scale">Output size factor (small frames such as 320x240 are easier to check at 2x).</param>
    public static SKBitmap Render(SKBitmap frame, FrameAnnotation annotation, Skeleton? skeleton = null, float scale = 1f,
        IReadOnlyList<(Box Box, double Score)>? detections = null)
    {
        skeleton ??= Skeleton.PoseTrack;
        // SkiaSharp neither refuses a zero, NaN or negative size nor a gigapixel one: it returns no pixels
        // (a NullReferenceException later) or fails deep in its allocator.
        double width = frame.Width * (double)scale, height = frame.Height * (double)scale;
        if (!(scale > 0) || !float.IsFinite(scale) || width < 1 || height < 1 || width > MaxSide || height > MaxSide)
            throw new ArgumentOutOfRangeException(nameof(scale), scale,
                $"scale {scale} would make the {frame.Width}x{frame.Height} frame {width:0.#}x{height:0.#} pixels; it must be positive and keep both sides between 1 and {MaxSide}.");
        int w = (int)Math.Round(width), h = (int)Math.Round(height);
        var output = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(output);
        using (var image = SKImage.FromBitmap(frame))
            canvas.DrawImage(image, new SKRect(0, 0, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        canvas.Scale(scale);
        float line = Math.Max(1.5f, Math.Max(frame.Width, frame.Height) / 300f);
        using var stroke = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = line, StrokeCap = SKStrokeCap.Round };
        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var font = new SKFont(SKTypeface.Default, 6 * line);
        if (detections is not null)
            foreach (var (box, score) in detections)
            {
                stroke.Color = new SKColor(200, 200, 200, 160);
                canvas.DrawRect(Rect(box), stroke);
            }
        foreach (var person in annotation.People)
        {
            var joints = person.JointArray(skeleton.Count);
            if (person.PersonBox is { } pb)
            {
                stroke.Color = SKColors.Yellow;
                canvas.DrawRect(Rect(pb), stroke);
            }
            if (person.HeadBox is { } hb)
            {
                stroke.Color = SKColors.Magenta;
                canvas.DrawRect(Rect(hb), stroke);
            }
            foreach (var (a, b) in skeleton.Limbs)
            {
                if (joints[a] is not { } pa || joints[b] is not { } pb2) continue;
                stroke.Color = skeleton.Joints[b].Colour.ToSkia();
                stroke.StrokeWidth = line * 1.5f;
                canvas.DrawLine((float)pa.X, (float)pa.Y, (float)pb2.X, (float)pb2.Y, stroke);
            }
            stroke.StrokeWidth = line;
            foreach (var p in joints)
            {
                if (p is null) continue;
                var color = skeleton.Joints[p.Id].Colour.ToSkia();
                if (p.Visible == false)
                {
                    stroke.Color = color;
                    canvas.DrawCircle((float)p.X, (float)p.Y, line * 2f, stroke);
                }
                else
                {
                    fill.Color = color;
                    canvas.DrawCircle((float)p.X, (float)p.Y, line * 2f, fill);
                }
            }
            if (person.TrackId is { } id)
            {
                var anchor = person.HeadBox is { } head ? new SKPoint((float)head.X1, (float)head.Y1 - line)
                    : joints.FirstOrDefault(j => j is not null) is { } first ? new SKPoint((float)first.X, (float)first.Y) : SKPoint.Empty;
                fill.Color = SKColors.White;
                canvas.DrawText($"#{id}", anchor.X, anchor.Y, font, fill);
            }
        }
        canvas.Flush();
        return output;
    }

    private static SKRect Rect(Box b) => new((float)b.X1, (float)b.Y1, (float)b.X2, (float)b.Y2);
}
