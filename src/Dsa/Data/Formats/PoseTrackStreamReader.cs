using System.Globalization;
using System.Text.Json;

namespace Dsa.Data.Formats;

/// <summary>
/// The fast path of <see cref="PoseTrackReader"/>: one forward pass of <see cref="Utf8JsonReader"/> over a file's bytes,
/// no document tree and no record names, building exactly the model <see cref="PoseTrackDocumentReader"/> builds
/// (README, Performance, has the times of both on the Bonn fixture).
/// It accepts only what the document reader accepts without a word, and gives up (null) at anything else: invalid
/// JSON, a value of another type than expected, a check that fails, a property name written with escapes. The caller
/// then reads the same bytes with the document reader, so the exception a user sees, naming file, record and field,
/// and which of several problems it names first, are the document reader's. Each check here mirrors one there: where
/// they would differ, the fast path must be the stricter (a file it refuses only costs time).
/// </summary>
/// <remarks>
/// Fields are read in file order, so the decisions the document reader makes by looking a field up (is there an
/// 'annolist'? which keypoint names?) are made when the object ends. A repeated field overwrites the earlier one, as
/// JsonDocument's look-up returns the last. Fields the document reader never looks at are skipped (and, being read,
/// still checked as JSON).
/// </remarks>
internal static class PoseTrackStreamReader
{
    /// <summary>Leaves the fast path; caught in this class only.</summary>
    private sealed class NotHandled : Exception;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    /// <summary>A per-video file (PoseTrack 2017, or 2018: 'annolist' wins, as in the document reader); null where
    /// the document reader must read it.</summary>
    public static VideoAnnotation? TryReadVideo(byte[] bytes, string path)
    {
        if (TryReadRoot(bytes) is not { } root) return null;
        string name = Path.GetFileName(path);
        if (root.Annolist is { } frames) return new VideoAnnotation(name, path, PoseTrackFormat.PoseTrack17, frames);
        return root.Images is null ? null : root.Coco()?.FirstVideo(name, path);
    }

    /// <summary>A COCO-like file (merged or PoseTrack 2018); null where the document reader must read it.</summary>
    public static CocoPoseTrackFile? TryReadCoco(byte[] bytes) => TryReadRoot(bytes)?.Coco();

    private static Root? TryReadRoot(byte[] bytes)
    {
        try
        {
            var r = new Utf8JsonReader(bytes, Options);
            Next(ref r);
            var root = ReadRoot(ref r);
            // JsonDocument refuses anything but white space after the root value; Read throws on it.
            if (r.Read()) throw new NotHandled();
            return root;
        }
        // InvalidOperationException: GetString of invalid UTF-8, which the document reader reports its own way.
        catch (Exception e) when (e is NotHandled or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>What the root object holds, keyed as the document reader looks it up.</summary>
    private sealed class Root
    {
        // Null where the field is absent; 'annotations' also where null (no annotations, to the document reader too),
        // while a null 'annolist' or 'images', which the document reader refuses, ends the fast path.
        public List<FrameAnnotation>? Annolist;
        public List<CocoPoseTrackFile.ImageRecord>? Images;
        public List<Annotation>? Annotations;
        public Category? Category;

        /// <summary>The COCO-like content, or null where the document reader would refuse it (a check that needs
        /// the keypoint names, which may come after the annotations in the file).</summary>
        public CocoPoseTrackFile? Coco()
        {
            if (Category is not { } category || Images is null) return null;
            if (category.Name != "person" || CocoPoseTrackFile.KeypointNamesProblem(category.Keypoints) is not null) return null;
            int[] slotToId = Skeleton.PoseTrack.SlotsToIds(category.Keypoints);
            int slots = slotToId.Length;
            var people = new Dictionary<long, List<PersonAnnotation>>();
            foreach (var a in Annotations ?? [])
            {
                if (a.Keypoints.Length != 3 * slots || (a.Scores is not null && a.Scores.Length != slots)) return null;
                if (!people.TryGetValue(a.ImageId, out var list)) people[a.ImageId] = list = new List<PersonAnnotation>();
                list.Add(new PersonAnnotation(a.TrackId, CocoPoseTrackFile.Points(a.Keypoints, a.Scores, slotToId), a.HeadBox, a.PersonBox, a.Score));
            }
            return new CocoPoseTrackFile { Images = Images, PeopleByImage = people, KeypointNames = category.Keypoints };
        }
    }

    /// <summary>The one category of a COCO-like file.</summary>
    private sealed record Category(string Name, List<string> Keypoints);

    /// <summary>An annotation before the keypoint names turn its keypoints into points.</summary>
    /// <param name="Scores">Null where 'scores' is absent, null or empty.</param>
    private sealed record Annotation(long ImageId, double[] Keypoints, double[]? Scores, int? TrackId, Box? HeadBox, Box? PersonBox, double? Score);

    private static Root ReadRoot(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var root = new Root();
        while (NextProperty(ref r, out var name))
        {
            if (name.SequenceEqual("annolist"u8)) root.Annolist = ReadAnnolist(ref r);
            else if (name.SequenceEqual("images"u8)) root.Images = ReadImages(ref r);
            else if (name.SequenceEqual("annotations"u8))
            {
                Next(ref r);
                root.Annotations = r.TokenType == JsonTokenType.Null ? null : ReadAnnotations(ref r);
            }
            else if (name.SequenceEqual("categories"u8)) root.Category = ReadCategories(ref r);
            else r.Skip();
        }
        return root;
    }

    // ---------------------------------------------------------------- PoseTrack 2017

    private static List<FrameAnnotation> ReadAnnolist(ref Utf8JsonReader r)
    {
        Next(ref r);
        Expect(ref r, JsonTokenType.StartArray);
        var frames = new List<FrameAnnotation>();
        while (NextElement(ref r))
        {
            Expect(ref r, JsonTokenType.StartObject);
            string? image = null;
            bool? isLabeled = null;
            List<PersonAnnotation>? people = null;
            List<Polygon>? regions = null;
            while (NextProperty(ref r, out var name))
            {
                if (name.SequenceEqual("image"u8)) image = ReadImageName(ref r);
                else if (name.SequenceEqual("is_labeled"u8)) isLabeled = OptionalFlag(ref r);
                else if (name.SequenceEqual("annorect"u8)) people = ReadRects(ref r);
                else if (name.SequenceEqual("ignore_regions"u8)) regions = ReadIgnoreRegions17(ref r);
                else r.Skip();
            }
            if (image is null) throw new NotHandled();
            frames.Add(new FrameAnnotation(image, frames.Count, null, isLabeled, people ?? [], regions ?? []));
        }
        return frames;
    }

    /// <summary>'image': an object, or an array whose first element is one (the rest are not read), with a 'name'.</summary>
    private static string ReadImageName(ref Utf8JsonReader r)
    {
        Next(ref r);
        bool wrapped = r.TokenType == JsonTokenType.StartArray;
        if (wrapped) Next(ref r);
        Expect(ref r, JsonTokenType.StartObject);
        string? imageName = null;
        while (NextProperty(ref r, out var name))
        {
            if (name.SequenceEqual("name"u8)) imageName = OptionalString(ref r);
            else r.Skip();
        }
        if (wrapped) SkipRestOfArray(ref r);
        return imageName ?? throw new NotHandled();
    }

    private static List<PersonAnnotation>? ReadRects(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.Null) return null;
        Expect(ref r, JsonTokenType.StartArray);
        var people = new List<PersonAnnotation>();
        while (NextElement(ref r))
        {
            Expect(ref r, JsonTokenType.StartObject);
            long? track = null;
            List<AnnotatedPoint>? points = null;
            double? x1 = null, y1 = null, x2 = null, y2 = null, score = null;
            while (NextProperty(ref r, out var name))
            {
                if (name.SequenceEqual("annopoints"u8)) points = ReadAnnopoints(ref r);
                else if (name.SequenceEqual("track_id"u8)) track = OptionalInteger(ref r);
                else if (name.SequenceEqual("x1"u8)) x1 = OptionalNumber(ref r);
                else if (name.SequenceEqual("y1"u8)) y1 = OptionalNumber(ref r);
                else if (name.SequenceEqual("x2"u8)) x2 = OptionalNumber(ref r);
                else if (name.SequenceEqual("y2"u8)) y2 = OptionalNumber(ref r);
                else if (name.SequenceEqual("score"u8)) score = OptionalNumber(ref r);
                else r.Skip();
            }
            Box? head = null;
            if (x1 is not null || y1 is not null || x2 is not null || y2 is not null)
            {
                // All four, and not of negative size.
                if (x1 is not double bx1 || y1 is not double by1 || x2 is not double bx2 || y2 is not double by2 || bx2 < bx1 || by2 < by1)
                    throw new NotHandled();
                head = new Box(bx1, by1, bx2, by2);
            }
            people.Add(new PersonAnnotation(ToInt(track), points, head, null, score));
        }
        return people;
    }

    /// <summary>poseval's rectHasPoints: 'annopoints' an object, or an array whose first element is one (the rest are
    /// not read), with a 'point' array; null (no point list) where absent, null, an empty array or without 'point'.</summary>
    private static List<AnnotatedPoint>? ReadAnnopoints(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.Null) return null;
        bool wrapped = r.TokenType == JsonTokenType.StartArray;
        if (wrapped && !NextElement(ref r)) return null;
        Expect(ref r, JsonTokenType.StartObject);
        List<AnnotatedPoint>? points = null;
        while (NextProperty(ref r, out var name))
        {
            if (name.SequenceEqual("point"u8)) points = ReadPoints(ref r);
            else r.Skip();
        }
        if (wrapped) SkipRestOfArray(ref r);
        return points;
    }

    private static List<AnnotatedPoint>? ReadPoints(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.Null) return null;
        Expect(ref r, JsonTokenType.StartArray);
        var points = new List<AnnotatedPoint>();
        while (NextElement(ref r))
        {
            Expect(ref r, JsonTokenType.StartObject);
            long? id = null;
            double? x = null, y = null, score = null;
            bool? visible = null;
            while (NextProperty(ref r, out var name))
            {
                if (name.SequenceEqual("x"u8)) x = OptionalNumber(ref r);
                else if (name.SequenceEqual("y"u8)) y = OptionalNumber(ref r);
                else if (name.SequenceEqual("id"u8)) id = OptionalInteger(ref r);
                else if (name.SequenceEqual("score"u8)) score = OptionalNumber(ref r);
                else if (name.SequenceEqual("is_visible"u8)) visible = OptionalFlag(ref r);
                else r.Skip();
            }
            if (id is null || x is not double px || y is not double py) throw new NotHandled();
            points.Add(new AnnotatedPoint(ToInt(id)!.Value, px, py, score, visible));
        }
        return points;
    }

    private static List<Polygon>? ReadIgnoreRegions17(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.Null) return null;
        Expect(ref r, JsonTokenType.StartArray);
        var regions = new List<Polygon>();
        while (NextElement(ref r))
        {
            Expect(ref r, JsonTokenType.StartObject);
            var vertices = new List<(double, double)>();
            while (NextProperty(ref r, out var name))
            {
                if (!name.SequenceEqual("point"u8))
                {
                    r.Skip();
                    continue;
                }
                // A repeated 'point' replaces the earlier one, as the document reader sees only the last.
                vertices.Clear();
                Next(ref r);
                if (r.TokenType == JsonTokenType.Null) continue;
                Expect(ref r, JsonTokenType.StartArray);
                while (NextElement(ref r))
                {
                    Expect(ref r, JsonTokenType.StartObject);
                    double? x = null, y = null;
                    while (NextProperty(ref r, out var coordinate))
                    {
                        if (coordinate.SequenceEqual("x"u8)) x = OptionalNumber(ref r);
                        else if (coordinate.SequenceEqual("y"u8)) y = OptionalNumber(ref r);
                        else r.Skip();
                    }
                    if (x is not double px || y is not double py) throw new NotHandled();
                    vertices.Add((px, py));
                }
            }
            regions.Add(new Polygon(vertices));
        }
        return regions;
    }

    // ---------------------------------------------------------------- PoseTrack 2018 / COCO-style

    private static Category ReadCategories(ref Utf8JsonReader r)
    {
        Next(ref r);
        Expect(ref r, JsonTokenType.StartArray);
        // Exactly one category.
        if (!NextElement(ref r)) throw new NotHandled();
        Expect(ref r, JsonTokenType.StartObject);
        string? categoryName = null;
        List<string>? keypoints = null;
        while (NextProperty(ref r, out var name))
        {
            if (name.SequenceEqual("name"u8)) categoryName = OptionalString(ref r);
            else if (name.SequenceEqual("keypoints"u8))
            {
                Next(ref r);
                Expect(ref r, JsonTokenType.StartArray);
                keypoints = new List<string>();
                while (NextElement(ref r))
                {
                    Expect(ref r, JsonTokenType.String);
                    keypoints.Add(r.GetString()!);
                }
            }
            else r.Skip();
        }
        if (NextElement(ref r)) throw new NotHandled();
        return new Category(categoryName ?? throw new NotHandled(), keypoints ?? throw new NotHandled());
    }

    private static List<CocoPoseTrackFile.ImageRecord> ReadImages(ref Utf8JsonReader r)
    {
        Next(ref r);
        Expect(ref r, JsonTokenType.StartArray);
        var images = new List<CocoPoseTrackFile.ImageRecord>();
        while (NextElement(ref r))
        {
            Expect(ref r, JsonTokenType.StartObject);
            long? id = null, frameId = null;
            string? fileName = null;
            bool? isLabeled = null;
            List<double[]>? xs = null, ys = null;
            while (NextProperty(ref r, out var name))
            {
                if (name.SequenceEqual("id"u8)) id = OptionalInteger(ref r);
                else if (name.SequenceEqual("file_name"u8)) fileName = OptionalString(ref r);
                else if (name.SequenceEqual("frame_id"u8)) frameId = OptionalInteger(ref r);
                else if (name.SequenceEqual("is_labeled"u8)) isLabeled = OptionalFlag(ref r);
                else if (name.SequenceEqual("ignore_regions_x"u8)) xs = ReadRegionCoordinates(ref r);
                else if (name.SequenceEqual("ignore_regions_y"u8)) ys = ReadRegionCoordinates(ref r);
                else r.Skip();
            }
            if (id is not long imageId || fileName is null) throw new NotHandled();
            images.Add(new CocoPoseTrackFile.ImageRecord(images.Count, imageId, fileName, frameId, isLabeled, IgnoreRegions18(xs, ys)));
        }
        return images;
    }

    /// <summary>ignore_regions_x or _y: an array of regions, each an array of plain numbers; null where absent or null.</summary>
    private static List<double[]>? ReadRegionCoordinates(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.Null) return null;
        Expect(ref r, JsonTokenType.StartArray);
        var regions = new List<double[]>();
        while (NextElement(ref r)) regions.Add(ReadNumbers(ref r));
        return regions;
    }

    /// <summary>Both or neither, as many regions in each and as many values in each pair of regions.</summary>
    private static List<Polygon> IgnoreRegions18(List<double[]>? xs, List<double[]>? ys)
    {
        var regions = new List<Polygon>();
        if (xs is null && ys is null) return regions;
        if (xs is null || ys is null || xs.Count != ys.Count) throw new NotHandled();
        for (int i = 0; i < xs.Count; i++)
        {
            if (xs[i].Length != ys[i].Length) throw new NotHandled();
            var vertices = new List<(double, double)>(xs[i].Length);
            for (int p = 0; p < xs[i].Length; p++) vertices.Add((xs[i][p], ys[i][p]));
            regions.Add(new Polygon(vertices));
        }
        return regions;
    }

    private static List<Annotation> ReadAnnotations(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartArray);
        var annotations = new List<Annotation>();
        while (NextElement(ref r))
        {
            Expect(ref r, JsonTokenType.StartObject);
            long? imageId = null, track = null;
            double[]? keypoints = null, scores = null;
            Box? head = null, box = null;
            double? score = null;
            while (NextProperty(ref r, out var name))
            {
                if (name.SequenceEqual("keypoints"u8))
                {
                    Next(ref r);
                    keypoints = ReadNumbers(ref r);
                }
                else if (name.SequenceEqual("scores"u8))
                {
                    Next(ref r);
                    scores = r.TokenType == JsonTokenType.Null ? null : ReadNumbers(ref r);
                    if (scores is { Length: 0 }) scores = null;
                }
                else if (name.SequenceEqual("image_id"u8)) imageId = OptionalInteger(ref r);
                // Only named in the document reader's messages, but checked there.
                else if (name.SequenceEqual("id"u8)) OptionalInteger(ref r);
                else if (name.SequenceEqual("track_id"u8)) track = OptionalInteger(ref r);
                else if (name.SequenceEqual("bbox_head"u8)) head = OptionalXywhBox(ref r);
                else if (name.SequenceEqual("bbox"u8)) box = OptionalXywhBox(ref r);
                else if (name.SequenceEqual("score"u8)) score = OptionalNumber(ref r);
                else r.Skip();
            }
            if (imageId is not long image || keypoints is null) throw new NotHandled();
            annotations.Add(new Annotation(image, keypoints, scores, ToInt(track), head, box, score));
        }
        return annotations;
    }

    /// <summary>[x, y, w, h] with w, h &gt;= 0; null where null.</summary>
    private static Box? OptionalXywhBox(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.Null) return null;
        double[] v = ReadNumbers(ref r);
        if (v.Length != 4 || v[2] < 0 || v[3] < 0) throw new NotHandled();
        return Box.FromXywh(v[0], v[1], v[2], v[3]);
    }

    // ---------------------------------------------------------------- values (PoseTrackJson's rules)

    /// <summary>An array of plain finite numbers (no 1-element wrapping), the reader on its '['.</summary>
    private static double[] ReadNumbers(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartArray);
        var values = new List<double>();
        while (NextElement(ref r)) values.Add(Number(ref r));
        return values.ToArray();
    }

    /// <summary>The next field's value as a number, a bare one or the only element of an array; null where null.</summary>
    private static double? OptionalNumber(ref Utf8JsonReader r)
    {
        bool wrapped = EnterScalar(ref r);
        double? value = r.TokenType == JsonTokenType.Null ? null : Number(ref r);
        LeaveScalar(ref r, wrapped);
        return value;
    }

    private static long? OptionalInteger(ref Utf8JsonReader r)
    {
        bool wrapped = EnterScalar(ref r);
        long? value = r.TokenType == JsonTokenType.Null ? null : Integer(ref r);
        LeaveScalar(ref r, wrapped);
        return value;
    }

    private static string? OptionalString(ref Utf8JsonReader r)
    {
        bool wrapped = EnterScalar(ref r);
        string? value = r.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => r.GetString()!,
            _ => throw new NotHandled(),
        };
        LeaveScalar(ref r, wrapped);
        return value;
    }

    /// <summary>A flag written as true/false, a number (non-zero is true) or a string holding one.</summary>
    private static bool? OptionalFlag(ref Utf8JsonReader r)
    {
        bool wrapped = EnterScalar(ref r);
        bool? value = r.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Number => Number(ref r) != 0,
            JsonTokenType.String when double.TryParse(r.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d != 0,
            _ => throw new NotHandled(),
        };
        LeaveScalar(ref r, wrapped);
        return value;
    }

    /// <summary>Moves onto the next field's value; into it when it is an array, which must then hold one value.</summary>
    private static bool EnterScalar(ref Utf8JsonReader r)
    {
        Next(ref r);
        if (r.TokenType != JsonTokenType.StartArray) return false;
        Next(ref r);
        return true;
    }

    private static void LeaveScalar(ref Utf8JsonReader r, bool wrapped)
    {
        if (!wrapped) return;
        Next(ref r);
        Expect(ref r, JsonTokenType.EndArray);
    }

    private static double Number(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.Number || !r.TryGetDouble(out double d) || !double.IsFinite(d)) throw new NotHandled();
        return d;
    }

    /// <summary>An integer literal, or a number with an integral value below 9e15 (3.0, 1e2).</summary>
    private static long Integer(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.Number) throw new NotHandled();
        if (r.TryGetInt64(out long l)) return l;
        if (r.TryGetDouble(out double d) && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
        throw new NotHandled();
    }

    private static int? ToInt(long? value) => value switch
    {
        null => null,
        >= int.MinValue and <= int.MaxValue => (int)value.Value,
        _ => throw new NotHandled(),
    };

    // ---------------------------------------------------------------- moving through the tokens

    private static void Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new NotHandled();
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        if (r.TokenType != type) throw new NotHandled();
    }

    /// <summary>Inside an object: moves to the next property name (false at the object's end).</summary>
    private static bool NextProperty(ref Utf8JsonReader r, out ReadOnlySpan<byte> name)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.EndObject)
        {
            name = default;
            return false;
        }
        // An escaped name would need unescaping to compare; the document reader does that.
        if (r.ValueIsEscaped) throw new NotHandled();
        name = r.ValueSpan;
        return true;
    }

    /// <summary>Inside an array: moves to the next element's first token (false at the array's end).</summary>
    private static bool NextElement(ref Utf8JsonReader r)
    {
        Next(ref r);
        return r.TokenType != JsonTokenType.EndArray;
    }

    /// <summary>After an array's first element: skips (and so checks) the others, to the array's end.</summary>
    private static void SkipRestOfArray(ref Utf8JsonReader r)
    {
        while (NextElement(ref r)) r.Skip();
    }
}
