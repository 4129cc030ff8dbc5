using System.Text.Json;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.IO;
using SkiaSharp;

namespace Dsa.Data.Synthetic;

/// <summary>
/// PoseTrack-like synthetic videos for CPU-sized experiments: several articulated 2-D stick-figure people
/// (the 15 PoseTrack joints, limb lengths in proportion to body height, a walking gait plus smooth random
/// joint-angle wobble and occasional fast limb swings) drawn with SkiaSharp as textured limbs and heads
/// over a textured background, with camera pan and shake, people walking in and out, occlusion by other
/// people and by moving objects, and motion blur on some frames (several sub-frame renders averaged over
/// an exposure, with a camera jolt during it, so fast limbs and the whole frame smear).
/// The point is the property real video pose has: on a blurred or occluded frame a joint is ambiguous
/// from that frame alone and recoverable from its neighbours.
/// <para>
/// Output (PoseTrack 2018 layout): annotations/{train,val}/&lt;video&gt;.json written with
/// <see cref="PoseTrackWriter"/>, images/{split}/&lt;video&gt;/000000.jpg..., and meta/{split}/&lt;video&gt;.json
/// (per frame exposure in frame intervals and per person the ids of occluded joints). Ground truth:
/// every joint inside the frame is annotated with its true position; joints covered by another person
/// or an object get v = 0 (PT17 is_visible 0) but keep their coordinates, so poseval, which ignores
/// visibility, scores them like the visible ones (as PoseTrack annotators label occluded joints);
/// joints outside the frame are not annotated (0, 0, 0); people with fewer than 3 joints inside the
/// frame are not annotated in that frame. Every frame is labelled. Deterministic for a seed.
/// </para>
/// </summary>
public sealed class SyntheticVideoGenerator
{
    public SyntheticVideoConfig Config { get; }

    /// <summary>Sub-frame renders averaged on a blurred frame.</summary>
    private const int BlurSubframes = 7;

    public SyntheticVideoGenerator(SyntheticVideoConfig? config = null)
    {
        Config = config ?? new SyntheticVideoConfig();
        Config.Validate();
    }

    /// <summary>The annotations of every video of a split, nothing rendered (see <see cref="Generate"/>).</summary>
    public IReadOnlyList<VideoAnnotation> Annotations(string split)
    {
        int count = split == "train" ? Config.TrainVideos : split == "val" ? Config.ValVideos
            : throw new ArgumentException($"split must be 'train' or 'val'; got '{split}'.", nameof(split));
        return Enumerable.Range(0, count).Select(v => Generate(split, v, null).Annotation).ToList();
    }

    /// <summary>Video names follow PoseTrack's &lt;number&gt;_mpii_&lt;split&gt; so poseval's 2018 reader accepts them.</summary>
    public static string VideoName(string split, int index) => split == "train" ? $"{index + 1:D6}_mpii_train" : $"{index + 500001:D6}_mpii_val";

    /// <summary>Writes the whole set under <paramref name="root"/>; progress reports (videos done, total).</summary>
    public SyntheticVideoSummary Write(string root, IProgress<(int Done, int Total)>? progress = null) =>
        WriteSplits(root, new[] { ("train", Config.TrainVideos), ("val", Config.ValVideos) }, progress);

    /// <summary>
    /// Writes only the first <paramref name="count"/> videos of one split, exactly as <see cref="Write"/>
    /// would (a video depends on the config, the split and its index only): a quick, faithful subset.
    /// </summary>
    public SyntheticVideoSummary WriteVideos(string root, string split, int count, IProgress<(int Done, int Total)>? progress = null)
    {
        int available = split == "train" ? Config.TrainVideos : split == "val" ? Config.ValVideos
            : throw new ArgumentException($"split must be 'train' or 'val'; got '{split}'.", nameof(split));
        if (count < 1 || count > available) throw new ArgumentOutOfRangeException(nameof(count), $"the {split} split has {available} videos; asked for {count}.");
        return WriteSplits(root, new[] { (split, count) }, progress);
    }

    private SyntheticVideoSummary WriteSplits(string root, (string Split, int Count)[] splits, IProgress<(int Done, int Total)>? progress)
    {
        int total = splits.Sum(s => s.Count), done = 0;
        // The configuration first: a reader can tell which set a folder holds (and the demo whether it is the one it wants).
        Directory.CreateDirectory(root);
        Config.Write(Path.Combine(root, SyntheticVideoConfig.FileName));
        int frames = 0, instances = 0, joints = 0, occluded = 0, blurred = 0;
        foreach (var (split, count) in splits)
        {
            for (int v = 0; v < count; v++)
            {
                string name = VideoName(split, v);
                var imageDir = Path.Combine(root, "images", split, name);
                Directory.CreateDirectory(imageDir);
                var (annotation, exposures) = Generate(split, v, (f, bitmap) =>
                {
                    using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, Config.JpegQuality);
                    AtomicFile.Write(Path.Combine(imageDir, $"{f:D6}.jpg"), s => data.SaveTo(s));
                });
                PoseTrackWriter.Write(annotation, Path.Combine(root, "annotations", split, name + ".json"), PoseTrackFormat.PoseTrack18);
                WriteMeta(Path.Combine(root, "meta", split, name + ".json"), annotation, exposures);
                frames += annotation.Frames.Count;
                blurred += exposures.Count(e => e > 0);
                foreach (var frame in annotation.Frames)
                foreach (var person in frame.People)
                {
                    instances++;
                    joints += person.Points!.Count;
                    occluded += person.Points!.Count(p => p.Visible == false);
                }
                progress?.Report((++done, total));
            }
        }
        return new SyntheticVideoSummary(root, total, frames, instances, joints, occluded, blurred);
    }

    private static void WriteMeta(string path, VideoAnnotation annotation, double[] exposures)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, s =>
        {
            using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = false });
            w.WriteStartObject();
            w.WriteString("video", annotation.Name);
            w.WriteString("exposure_unit", "frame intervals; 0 = sharp");
            w.WriteStartArray("frames");
            for (int f = 0; f < annotation.Frames.Count; f++)
            {
                w.WriteStartObject();
                w.WriteNumber("frame", f);
                w.WriteNumber("exposure", Math.Round(exposures[f], 4));
                w.WriteStartArray("people");
                foreach (var p in annotation.Frames[f].People)
                {
                    w.WriteStartObject();
                    w.WriteNumber("track_id", p.TrackId ?? -1);
                    w.WriteStartArray("occluded_joints");
                    foreach (var pt in p.Points!) if (pt.Visible == false) w.WriteNumberValue(pt.Id);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// Renders one video: each frame goes to <paramref name="frameSink"/> (the bitmap is disposed after the
    /// call) and the annotation (image paths images/{split}/{video}/NNNNNN.jpg) and per-frame exposures are returned.
    /// With no sink nothing is rendered: the annotation is the same (all randomness is drawn when the scene is built),
    /// in a fraction of the time, which is what measuring a configuration's motion needs.
    /// </summary>
    public (VideoAnnotation Annotation, double[] Exposures) Generate(string split, int index, Action<int, SKBitmap>? frameSink)
    {
        if (split != "train" && split != "val") throw new ArgumentException($"split must be 'train' or 'val'; got '{split}'.", nameof(split));
        string name = VideoName(split, index);
        var rng = new Random(DataLoader.SampleSeed(DataLoader.EpochSeed(Config.Seed, split == "train" ? 0 : 1), index));
        using var scene = new Scene(Config.SpeedSpread > 0 ? Config with { Speed = Config.Speed * VideoSpeedFactor(split, index, rng) } : Config, rng);
        var frames = new List<FrameAnnotation>();
        var exposures = scene.Exposures;
        for (int f = 0; f < Config.Frames; f++)
        {
            if (frameSink is not null)
                using (var bitmap = scene.RenderFrame(f)) frameSink(f, bitmap);
            frames.Add(new FrameAnnotation($"images/{split}/{name}/{f:D6}.jpg", f, null, true, scene.Annotate(f), Array.Empty<Polygon>()));
        }
        return (new VideoAnnotation(name + ".json", null, PoseTrackFormat.PoseTrack18, frames, Skeleton.PoseTrack18KeypointNames), exposures);
    }

    // ------------------------------------------------------------------------------------------------
    // The scene: background, camera, actors, occluders. All motion is a smooth function of continuous
    // time (in frames), so a blurred frame's sub-frame renders and its annotation agree.

    private sealed class Scene : IDisposable
    {
        private readonly SyntheticVideoConfig _c;
        private readonly SKBitmap _background;
        private readonly SKShader _backgroundShader;
        private readonly List<Actor> _actors = new();
        private readonly List<Occluder> _occluders = new();
        private readonly double _camX0, _camY0, _panX, _panY;
        private readonly (double A, double W, double P)[] _shakeX, _shakeY;
        private readonly (double X, double Y)[] _jolt;
        public double[] Exposures { get; }

        public Scene(SyntheticVideoConfig c, Random rng)
        {
            _c = c;
            int bw = c.Width * 2, bh = (int)(c.Height * 1.5);
            _background = Textures.Background(bw, bh, rng);
            _backgroundShader = _background.ToShader(SKShaderTileMode.Mirror, SKShaderTileMode.Mirror);
            _panX = c.Speed * c.CameraPan * (rng.NextDouble() * 3 - 1.5);
            _panY = c.Speed * c.CameraPan * (rng.NextDouble() * 0.6 - 0.3);
            _camX0 = rng.NextDouble() * (bw - c.Width);
            _camY0 = rng.NextDouble() * (bh - c.Height);
            _shakeX = Wobble(rng, 3, 0.6, 1.5, 4.0);
            _shakeY = Wobble(rng, 3, 0.6, 1.5, 4.0);
            for (int p = 0; p < c.People; p++) _actors.Add(new Actor(c, rng, p));
            int occluders = (rng.NextDouble() < c.Occlusion ? 1 : 0) + (rng.NextDouble() < c.Occlusion * 0.5 ? 1 : 0);
            for (int o = 0; o < occluders; o++) _occluders.Add(new Occluder(c, rng));
            // Motion blur: each frame starts a burst of 1-3 blurred frames with probability 0.06 x Blur (Blur = 1: about 12 % of
            // frames blurred; the default 2: about 22 %).
            Exposures = new double[c.Frames];
            _jolt = new (double, double)[c.Frames];
            double pBurst = Math.Min(0.9, 0.06 * c.Blur);
            for (int f = 0; f < c.Frames; f++)
            {
                if (c.Blur <= 0 || rng.NextDouble() >= pBurst) continue;
                int length = 1 + rng.Next(3);
                bool strong = rng.NextDouble() < 0.5;
                for (int k = 0; k < length && f + k < c.Frames; k++)
                {
                    Exposures[f + k] = Math.Min(3.0, c.Blur * (strong ? 1.0 + rng.NextDouble() : 0.3 + 0.5 * rng.NextDouble()));
                    double angle = rng.NextDouble() * 2 * Math.PI, speed = c.Blur * (strong ? 8 + 10 * rng.NextDouble() : 2 + 3 * rng.NextDouble());
                    _jolt[f + k] = (speed * Math.Cos(angle), speed * Math.Sin(angle));
                }
                f += length;
            }
            // Far people first: depth order by where their feet touch the ground.
            _actors.Sort((a, b) => a.FeetY.CompareTo(b.FeetY));
        }

        private (double X, double Y) Camera(double t, int frame)
        {
            double dt = t - frame; // the jolt moves the camera only during a blurred frame's exposure, centred on it
            double shake = _c.Speed * _c.CameraShake;
            return (_camX0 + _panX * t + Sum(_shakeX, t) * shake + _jolt[frame].X * dt,
                    _camY0 + _panY * t + Sum(_shakeY, t) * shake + _jolt[frame].Y * dt);
        }

        public SKBitmap RenderFrame(int frame)
        {
            double exposure = Exposures[frame];
            if (exposure <= 0) return Render(frame, frame);
            var sum = new int[_c.Width * _c.Height * 4];
            for (int k = 0; k < BlurSubframes; k++)
            {
                double t = frame + exposure * ((double)k / (BlurSubframes - 1) - 0.5);
                using var sub = Render(t, frame);
                var px = sub.GetPixelSpan();
                for (int i = 0; i < sum.Length; i++) sum[i] += px[i];
            }
            var output = NewBitmap(_c.Width, _c.Height);
            unsafe
            {
                byte* p = (byte*)output.GetPixels();
                for (int i = 0; i < sum.Length; i++) p[i] = (byte)((sum[i] + BlurSubframes / 2) / BlurSubframes);
            }
            return output;
        }

        private static SKBitmap NewBitmap(int w, int h) => new(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));

        private SKBitmap Render(double t, int frame)
        {
            var bitmap = NewBitmap(_c.Width, _c.Height);
            using var canvas = new SKCanvas(bitmap);
            var cam = Camera(t, frame);
            using (var paint = new SKPaint { Shader = _backgroundShader.WithLocalMatrix(SKMatrix.CreateTranslation((float)-cam.X, (float)-cam.Y)) })
                canvas.DrawPaint(paint);
            foreach (var actor in _actors) actor.Draw(canvas, t, cam);
            foreach (var occluder in _occluders) occluder.Draw(canvas, t, cam);
            canvas.Flush();
            return bitmap;
        }

        public IReadOnlyList<PersonAnnotation> Annotate(int frame)
        {
            var cam = Camera(frame, frame);
            var poses = _actors.Select(a => a.Pose(frame, cam)).ToArray();
            var people = new List<PersonAnnotation>();
            for (int i = 0; i < _actors.Count; i++)
            {
                var pose = poses[i];
                var inside = Enumerable.Range(0, 15).Where(j => pose.Joints[j].X >= 0 && pose.Joints[j].X < _c.Width && pose.Joints[j].Y >= 0 && pose.Joints[j].Y < _c.Height).ToArray();
                if (inside.Length < 3) continue;
                var points = new List<AnnotatedPoint>();
                foreach (int j in inside)
                {
                    var q = pose.Joints[j];
                    bool covered = (j == 13 && pose.FacingAway)
                        || Enumerable.Range(i + 1, _actors.Count - i - 1).Any(k => poses[k].Covers(q))
                        || _occluders.Any(o => o.Covers(q, frame, cam));
                    points.Add(new AnnotatedPoint(j, Math.Round(q.X, 2), Math.Round(q.Y, 2), null, !covered));
                }
                double x1 = inside.Min(j => pose.Joints[j].X), x2 = inside.Max(j => pose.Joints[j].X);
                double y1 = inside.Min(j => pose.Joints[j].Y), y2 = inside.Max(j => pose.Joints[j].Y);
                double margin = 0.08 * _actors[i].BodyHeight;
                var personBox = new Box(Math.Max(0, x1 - margin), Math.Max(0, y1 - margin), Math.Min(_c.Width - 1, x2 + margin), Math.Min(_c.Height - 1, y2 + margin));
                // PoseTrack head box: a square around the head from head_bottom to head_top.
                var (top, neck) = (pose.Joints[14], pose.Joints[12]);
                double side = Math.Sqrt((top.X - neck.X) * (top.X - neck.X) + (top.Y - neck.Y) * (top.Y - neck.Y));
                double hx = (top.X + neck.X) / 2, hy = (top.Y + neck.Y) / 2;
                var headBox = new Box(Math.Round(hx - side / 2, 2), Math.Round(hy - side / 2, 2), Math.Round(hx + side / 2, 2), Math.Round(hy + side / 2, 2));
                people.Add(new PersonAnnotation(_actors[i].TrackId, points, headBox,
                    new Box(Math.Round(personBox.X1, 2), Math.Round(personBox.Y1, 2), Math.Round(personBox.X2, 2), Math.Round(personBox.Y2, 2)), null));
            }
            return people.OrderBy(p => p.TrackId).ToList();
        }

        public void Dispose()
        {
            foreach (var a in _actors) a.Dispose();
            foreach (var o in _occluders) o.Dispose();
            _backgroundShader.Dispose();
            _background.Dispose();
        }
    }

    /// <summary>
    /// Real video motion is heavy-tailed because videos differ (people standing, walking, dancing, playing sport), so
    /// with <see cref="SyntheticVideoConfig.SpeedSpread"/> each video gets a log-normal speed factor exp(spread * z).
    /// z is stratified over a split (video k of n takes the normal quantile of a point in the k-th of n equal slices, in
    /// a seeded order), so that even a 12-video validation split has the whole distribution, not a lucky draw of it.
    /// </summary>
    private double VideoSpeedFactor(string split, int index, Random rng)
    {
        int n = split == "train" ? Config.TrainVideos : Config.ValVideos;
        var slices = Enumerable.Range(0, n).ToArray();
        new Random(DataLoader.SampleSeed(Config.Seed, split == "train" ? 2 : 3)).Shuffle(slices);
        double u = (slices[index] + rng.NextDouble()) / n;
        return Math.Exp(Config.SpeedSpread * InverseStandardNormal(Math.Clamp(u, 1e-9, 1 - 1e-9)));
    }

    /// <summary>The standard normal quantile function (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    internal static double InverseStandardNormal(double p)
    {
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) return -InverseStandardNormal(1 - p);
        double r = p - 0.5, t = r * r;
        return (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5]) * r / (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1);
    }

    internal static (double A, double W, double P)[] Wobble(Random rng, int terms, double amplitude, double minOmega, double maxOmega) =>
        Enumerable.Range(0, terms).Select(_ => (amplitude * (0.3 + rng.NextDouble()), minOmega + rng.NextDouble() * (maxOmega - minOmega), rng.NextDouble() * 2 * Math.PI)).ToArray();

    internal static double Sum((double A, double W, double P)[] wobble, double t)
    {
        double s = 0;
        foreach (var (a, w, p) in wobble) s += a * Math.Sin(w * t + p);
        return s;
    }
}
