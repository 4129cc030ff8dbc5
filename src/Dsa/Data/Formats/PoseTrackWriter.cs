using System.Text.Json;
using System.Text.RegularExpressions;
using Dsa.IO;

namespace Dsa.Data.Formats;

/// <summary>
/// Writes a <see cref="VideoAnnotation"/> as a per-video file the official evaluator (poseval)
/// accepts, in either format, atomically (<see cref="AtomicFile"/>). Reading the file back with
/// <see cref="PoseTrackReader"/> gives the same points: in PoseTrack 2017 exactly as given (order,
/// repeated ids, missing scores); in PoseTrack 2018 the first point of each joint id 0..14 in slot
/// order (the format has one slot per joint), a missing score within a scored person written as
/// poseval's fallback -9999 (what poseval would use anyway), and a person without a point list as
/// an all-zero one.
/// </summary>
public static class PoseTrackWriter
{
    /// <summary>poseval's score for a predicted point without one (eval_helpers.MIN_SCORE).</summary>
    public const double MissingScore = -9999;

    /// <summary>The largest track id written; poseval asserts &lt; 10000 and the challenge used 0..999.</summary>
    public const int MaxTrackId = 999;

    // poseval's posetrack18_fname2id: the folder must be <number>_<mpii|bonn|mpiinew>..., the file a frame number.
    private static readonly Regex PoseTrack18Folder = new(@"^(\d+)_(mpii|bonn|mpiinew)(_|$)", RegexOptions.CultureInvariant);

    public static void Write(VideoAnnotation video, string path, PoseTrackFormat format)
    {
        byte[] bytes = format switch
        {
            PoseTrackFormat.PoseTrack17 => Render(w => WritePoseTrack17(w, video)),
            PoseTrackFormat.PoseTrack18 => Render(w => WritePoseTrack18(w, video)),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown PoseTrack format"),
        };
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    private static byte[] Render(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
            body(w);
        return ms.ToArray();
    }

    private static void Number(Utf8JsonWriter w, double value, string what)
    {
        if (!double.IsFinite(value)) throw new ArgumentException($"{what} is not finite ({value}); PoseTrack files cannot hold it.");
        w.WriteNumberValue(value);
    }

    private static void Wrapped(Utf8JsonWriter w, string name, double value, string what)
    {
        w.WriteStartArray(name);
        Number(w, value, what);
        w.WriteEndArray();
    }

    /// <summary>Track ids as written: the person's own (must be 0..999 and unique in the frame),
    /// else the lowest free one.</summary>
    private static int[] TrackIds(FrameAnnotation frame, string where)
    {
        var ids = new int[frame.People.Count];
        var used = new HashSet<int>();
        for (int p = 0; p < ids.Length; p++)
        {
            if (frame.People[p].TrackId is not int t) { ids[p] = -1; continue; }
            if (t < 0 || t > MaxTrackId) throw new ArgumentException($"{where}, person {p}: track_id {t} is outside 0..{MaxTrackId}.");
            if (!used.Add(t)) throw new ArgumentException($"{where}, person {p}: track_id {t} is repeated in the frame (poseval rejects it).");
            ids[p] = t;
        }
        int next = 0;
        for (int p = 0; p < ids.Length; p++)
        {
            if (ids[p] >= 0) continue;
            while (used.Contains(next)) next++;
            if (next > MaxTrackId) throw new ArgumentException($"{where}: more than {MaxTrackId + 1} people in one frame.");
            ids[p] = next;
            used.Add(next);
        }
        return ids;
    }

    // ---------------------------------------------------------------- PoseTrack 2017

    private static void WritePoseTrack17(Utf8JsonWriter w, VideoAnnotation video)
    {
        w.WriteStartObject();
        w.WriteStartArray("annolist");
        for (int f = 0; f < video.Frames.Count; f++)
        {
            var frame = video.Frames[f];
            string where = $"{video.Name} frame {f} ({frame.ImagePath})";
            int[] tracks = TrackIds(frame, where);
            w.WriteStartObject();
            w.WriteStartArray("image");
            w.WriteStartObject();
            w.WriteString("name", frame.ImagePath);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("imgnum");
            w.WriteNumberValue(f + 1);
            w.WriteEndArray();
            w.WriteStartArray("annorect");
            for (int p = 0; p < frame.People.Count; p++)
                WriteRect17(w, frame.People[p], tracks[p], $"{where}, person {p}");
            w.WriteEndArray();
            if (frame.IgnoreRegions.Count > 0)
            {
                w.WriteStartArray("ignore_regions");
                foreach (var region in frame.IgnoreRegions)
                {
                    w.WriteStartObject();
                    w.WriteStartArray("point");
                    foreach (var (x, y) in region.Vertices)
                    {
                        w.WriteStartObject();
                        Wrapped(w, "x", x, $"{where} ignore region x");
                        Wrapped(w, "y", y, $"{where} ignore region y");
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteStartArray("is_labeled");
            w.WriteNumberValue(frame.IsLabeled ?? frame.People.Count > 0 ? 1 : 0);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRect17(Utf8JsonWriter w, PersonAnnotation person, int trackId, string where)
    {
        w.WriteStartObject();
        if (person.HeadBox is Box h)
        {
            Wrapped(w, "x1", h.X1, $"{where} head box x1");
            Wrapped(w, "y1", h.Y1, $"{where} head box y1");
            Wrapped(w, "x2", h.X2, $"{where} head box x2");
            Wrapped(w, "y2", h.Y2, $"{where} head box y2");
        }
        w.WriteStartArray("track_id");
        w.WriteNumberValue(trackId);
        w.WriteEndArray();
        if (person.Score is double s) Wrapped(w, "score", s, $"{where} score");
        if (person.Points is not null)
        {
            w.WriteStartArray("annopoints");
            w.WriteStartObject();
            w.WriteStartArray("point");
            foreach (var pt in person.Points)
            {
                string what = $"{where} point id {pt.Id}";
                w.WriteStartObject();
                w.WriteStartArray("id");
                w.WriteNumberValue(pt.Id);
                w.WriteEndArray();
                Wrapped(w, "x", pt.X, what + " x");
                Wrapped(w, "y", pt.Y, what + " y");
                if (pt.Score is double ps) Wrapped(w, "score", ps, what + " score");
                if (pt.Visible is bool v)
                {
                    w.WriteStartArray("is_visible");
                    w.WriteNumberValue(v ? 1 : 0);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    // ---------------------------------------------------------------- PoseTrack 2018

    /// <summary>
    /// Why <paramref name="video"/> cannot be written as PoseTrack 2018 (an image folder or file name
    /// poseval's posetrack18_fname2id cannot parse), or null when it can: lets a caller fall back to
    /// PoseTrack 2017 without catching the writer's exceptions.
    /// </summary>
    public static string? PoseTrack18NamingProblem(VideoAnnotation video)
    {
        string? firstNumber = null;
        foreach (var frame in video.Frames)
        {
            string normalized = frame.ImagePath.Replace('\\', '/');
            string folder = Path.GetFileName(Path.GetDirectoryName(normalized) ?? "") ?? "";
            var m = PoseTrack18Folder.Match(folder);
            if (!m.Success)
                return $"image folder '{folder}' of '{frame.ImagePath}' is not <number>_<mpii|bonn|mpiinew>...";
            firstNumber ??= m.Groups[1].Value;
            if (m.Groups[1].Value != firstNumber)
                return $"'{frame.ImagePath}' belongs to video {m.Groups[1].Value}, the first frame to {firstNumber}";
            if (!TryFrameNumber(Path.GetFileName(normalized), out _))
                return $"image file '{Path.GetFileName(normalized)}' is not a frame number 0..9999";
        }
        return null;
    }

    private static bool TryFrameNumber(string fileName, out int frame) =>
        int.TryParse(fileName.Split('.')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out frame) && frame < 10000;

    /// <summary>poseval's posetrack18_fname2id: T*10^10 + sequence*10^4 + frame (T: 1 mpii, 2 bonn, 3 mpiinew).</summary>
    private static (long Id, string VideoNumber) PoseTrack18ImageId(string imagePath, string where)
    {
        string normalized = imagePath.Replace('\\', '/');
        string folder = Path.GetFileName(Path.GetDirectoryName(normalized) ?? "") ?? "";
        var m = PoseTrack18Folder.Match(folder);
        if (!m.Success)
            throw new ArgumentException(
                $"{where}: image folder '{folder}' is not <number>_<mpii|bonn|mpiinew>...; poseval cannot read such a PoseTrack 2018 file (write PoseTrack 2017 instead).");
        if (!TryFrameNumber(Path.GetFileName(normalized), out int frame))
            throw new ArgumentException($"{where}: image file '{Path.GetFileName(normalized)}' is not a frame number 0..9999, which poseval needs in PoseTrack 2018.");
        long type = m.Groups[2].Value switch { "mpii" => 1, "bonn" => 2, _ => 3 };
        return (type * 10_000_000_000L + long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 10_000L + frame,
            m.Groups[1].Value);
    }

    private static void WritePoseTrack18(Utf8JsonWriter w, VideoAnnotation video)
    {
        var names = Skeleton.PoseTrack18KeypointNames;
        int[] slotToId = Skeleton.PoseTrack.SlotsToIds(names);
        var imageIds = new long[video.Frames.Count];
        var videoNumbers = new string[video.Frames.Count];
        var seen = new HashSet<long>();
        for (int f = 0; f < video.Frames.Count; f++)
        {
            string where = $"{video.Name} frame {f} ({video.Frames[f].ImagePath})";
            var (computed, number) = PoseTrack18ImageId(video.Frames[f].ImagePath, where);
            if (f > 0 && number != videoNumbers[0])
                throw new ArgumentException($"{where}: belongs to video {number}, the file's first frame to {videoNumbers[0]}; poseval reads only the first.");
            imageIds[f] = video.Frames[f].ImageId ?? computed;
            videoNumbers[f] = number;
            if (!seen.Add(imageIds[f])) throw new ArgumentException($"{where}: image id {imageIds[f]} is repeated.");
        }

        w.WriteStartObject();
        w.WriteStartArray("images");
        for (int f = 0; f < video.Frames.Count; f++)
        {
            var frame = video.Frames[f];
            w.WriteStartObject();
            w.WriteString("file_name", frame.ImagePath);
            w.WriteNumber("id", imageIds[f]);
            w.WriteNumber("frame_id", imageIds[f]);
            w.WriteString("vid_id", videoNumbers[f]);
            w.WriteNumber("nframes", video.Frames.Count);
            w.WriteBoolean("is_labeled", frame.IsLabeled ?? frame.People.Count > 0);
            foreach (var (key, pick) in new (string, Func<(double X, double Y), double>)[] { ("ignore_regions_x", v => v.X), ("ignore_regions_y", v => v.Y) })
            {
                w.WriteStartArray(key);
                foreach (var region in frame.IgnoreRegions)
                {
                    w.WriteStartArray();
                    foreach (var vertex in region.Vertices) Number(w, pick(vertex), $"{video.Name} frame {f} {key}");
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("annotations");
        for (int f = 0; f < video.Frames.Count; f++)
        {
            var frame = video.Frames[f];
            string whereFrame = $"{video.Name} frame {f} ({frame.ImagePath})";
            int[] tracks = TrackIds(frame, whereFrame);
            for (int p = 0; p < frame.People.Count; p++)
                WriteAnnotation18(w, frame.People[p], imageIds[f], p, tracks[p], slotToId, $"{whereFrame}, person {p}");
        }
        w.WriteEndArray();

        w.WriteStartArray("categories");
        w.WriteStartObject();
        w.WriteString("supercategory", "person");
        w.WriteNumber("id", 1);
        w.WriteString("name", "person");
        w.WriteStartArray("keypoints");
        foreach (var n in names) w.WriteStringValue(n);
        w.WriteEndArray();
        w.WriteStartArray("skeleton");
        foreach (var pair in Skeleton.PoseTrack18CategorySkeleton)
        {
            w.WriteStartArray();
            foreach (int s in pair) w.WriteNumberValue(s);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteAnnotation18(Utf8JsonWriter w, PersonAnnotation person, long imageId, int index, int trackId,
        int[] slotToId, string where)
    {
        var joints = person.JointArray(Skeleton.PoseTrack.Count);
        bool scored = joints.Any(j => j?.Score is not null);
        w.WriteStartObject();
        w.WriteNumber("id", imageId * 100 + index); // poseval's Video.to_new numbering
        w.WriteNumber("image_id", imageId);
        w.WriteNumber("track_id", trackId);
        w.WriteNumber("category_id", 1);
        w.WriteStartArray("keypoints");
        int annotated = 0;
        foreach (int id in slotToId)
        {
            var pt = id >= 0 ? joints[id] : null;
            if (pt is null)
            {
                w.WriteNumberValue(0); w.WriteNumberValue(0); w.WriteNumberValue(0);
                continue;
            }
            annotated++;
            Number(w, pt.X, $"{where} point id {id} x");
            Number(w, pt.Y, $"{where} point id {id} y");
            // (0, 0, 0) means "not annotated" to poseval: a real point at the origin keeps v = 1.
            bool visible = pt.Visible ?? true;
            w.WriteNumberValue(visible || (pt.X == 0 && pt.Y == 0) ? 1 : 0);
        }
        w.WriteEndArray();
        w.WriteStartArray("scores");
        if (scored)
            foreach (int id in slotToId)
            {
                var pt = id >= 0 ? joints[id] : null;
                Number(w, pt is null ? 0 : pt.Score ?? MissingScore, $"{where} point id {id} score");
            }
        w.WriteEndArray();
        w.WriteNumber("num_keypoints", annotated);
        var box = person.PersonBox ?? ExtentBox(joints);
        if (box is Box b)
        {
            w.WriteStartArray("bbox");
            Number(w, b.X1, where + " bbox"); Number(w, b.Y1, where + " bbox");
            Number(w, b.Width, where + " bbox"); Number(w, b.Height, where + " bbox");
            w.WriteEndArray();
        }
        if (person.HeadBox is Box h)
        {
            w.WriteStartArray("bbox_head");
            Number(w, h.X1, where + " bbox_head"); Number(w, h.Y1, where + " bbox_head");
            Number(w, h.Width, where + " bbox_head"); Number(w, h.Height, where + " bbox_head");
            w.WriteEndArray();
        }
        if (person.Score is double s)
        {
            w.WritePropertyName("score");
            Number(w, s, where + " score");
        }
        w.WriteEndObject();
    }

    /// <summary>poseval's Person.from_old box: the keypoints' extent centre +- 0.65 x extent.</summary>
    private static Box? ExtentBox(AnnotatedPoint?[] joints)
    {
        var pts = joints.Where(p => p is not null).Select(p => p!).ToList();
        if (pts.Count == 0) return null;
        double minX = pts.Min(p => p.X), maxX = pts.Max(p => p.X), minY = pts.Min(p => p.Y), maxY = pts.Max(p => p.Y);
        double cx = (maxX + minX) / 2, cy = (maxY + minY) / 2, ex = maxX - minX, ey = maxY - minY;
        return new Box(cx - ex * 0.65, cy - ey * 0.65, cx + ex * 0.65, cy + ey * 0.65);
    }
}
