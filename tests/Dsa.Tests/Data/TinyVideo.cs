using Dsa.Data;
using SkiaSharp;

namespace Dsa.Tests.Data;

/// <summary>
/// A throw-away PoseTrack-like video on disk for pipeline tests: small black PNG frames, each with a white
/// 3x3 blob at the right ankle (joint 0) of person 0, and the matching in-memory annotation.
/// </summary>
internal sealed class TinyVideo : IDisposable
{
    public string Root { get; }
    public VideoAnnotation Annotation { get; }
    public const int Width = 96, Height = 72;

    public TinyVideo(int frames = 6, int people = 2, string name = "000001_tiny", bool writeFrames = true)
    {
        Root = Path.Combine(Path.GetTempPath(), "dsa-tiny-" + Guid.NewGuid().ToString("N"));
        var dir = Path.Combine(Root, "images", "val", name);
        Directory.CreateDirectory(dir);
        var list = new List<FrameAnnotation>();
        for (int f = 0; f < frames; f++)
        {
            var image = $"images/val/{name}/{f:D6}.png";
            var persons = new List<PersonAnnotation>();
            for (int p = 0; p < people; p++)
            {
                var points = Enumerable.Range(0, 15)
                    .Select(j => new AnnotatedPoint(j, Ankle(f, p).X + 2 * (j % 3), Ankle(f, p).Y - 3 * j, null, true)).ToList();
                var xs = points.Select(q => q.X).ToArray();
                var ys = points.Select(q => q.Y).ToArray();
                persons.Add(new PersonAnnotation(p, points, new Box(xs.Min(), ys.Min() - 4, xs.Min() + 6, ys.Min()),
                    new Box(xs.Min() - 3, ys.Min() - 5, xs.Max() + 3, ys.Max() + 3), null));
            }
            list.Add(new FrameAnnotation(image, f, null, f % 2 == 0, persons, Array.Empty<Polygon>()));
            if (writeFrames) WriteFrame(Path.Combine(Root, image), Ankle(f, 0));
        }
        Annotation = new VideoAnnotation(name + ".json", Path.Combine(Root, "annotations", name + ".json"), PoseTrackFormat.PoseTrack17, list);
    }

    /// <summary>Person p's right ankle in frame f (moves 2 px per frame).</summary>
    public static (double X, double Y) Ankle(int f, int p) => (30 + 2 * f + 30 * p, 60);

    public static void WriteFrame(string path, (double X, double Y) blob)
    {
        using var bitmap = new SKBitmap(Width, Height);
        bitmap.Erase(SKColors.Black);
        for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
            bitmap.SetPixel((int)blob.X + dx, (int)blob.Y + dy, SKColors.White);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}
