using System.Text.Json;

namespace Dsa.Data.Formats;

/// <summary>
/// The reference reader behind <see cref="PoseTrackReader"/>: the whole file as a <see cref="JsonDocument"/>, then
/// field look-ups, each checked, so that a malformed input raises <see cref="InvalidDataException"/> naming the file,
/// the record and the field (and, of several problems, always the same one first). <see cref="PoseTrackStreamReader"/>
/// reads the well-formed files faster, in one pass without a tree; it hands everything else to this reader, so every
/// message a user sees comes from here.
/// </summary>
internal static class PoseTrackDocumentReader
{
    /// <summary>One per-video file, PoseTrack 2017 or 2018 (detected from its keys; 'annolist' wins).</summary>
    public static VideoAnnotation ReadVideo(byte[] bytes, string path)
    {
        using var doc = PoseTrackJson.Parse(bytes, path);
        var json = new PoseTrackJson(path);
        var root = json.RequireObject(doc.RootElement, "root");
        string name = Path.GetFileName(path);
        if (root.TryGetProperty("annolist", out _))
            return new VideoAnnotation(name, path, PoseTrackFormat.PoseTrack17, ReadAnnolist(json, root));
        if (root.TryGetProperty("images", out _))
            return ReadCoco(json, root).FirstVideo(name, path);
        throw json.Error("root", "has neither 'annolist' (PoseTrack 2017) nor 'images' (PoseTrack 2018)");
    }

    /// <summary>A COCO-like file's images, people and keypoint names (a merged file, or a PoseTrack 2018 one).</summary>
    public static CocoPoseTrackFile ReadCoco(byte[] bytes, string path)
    {
        using var doc = PoseTrackJson.Parse(bytes, path);
        var json = new PoseTrackJson(path);
        return ReadCoco(json, json.RequireObject(doc.RootElement, "root"));
    }

    // ---------------------------------------------------------------- PoseTrack 2017

    private static List<FrameAnnotation> ReadAnnolist(PoseTrackJson json, JsonElement root)
    {
        var list = json.RequireArray(root, "root", "annolist");
        var frames = new List<FrameAnnotation>(list.GetArrayLength());
        int index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            string record = $"annolist[{index}]";
            json.RequireObject(entry, record);
            frames.Add(new FrameAnnotation(
                ImageName(json, entry, record), index, null,
                json.OptionalFlag(entry, record, "is_labeled"),
                ReadRects(json, entry, record),
                ReadIgnoreRegions17(json, entry, record)));
            index++;
        }
        return frames;
    }

    private static string ImageName(PoseTrackJson json, JsonElement entry, string record)
    {
        if (!entry.TryGetProperty("image", out var image) || image.ValueKind == JsonValueKind.Null)
            throw json.Error(record, "image", "is missing");
        if (image.ValueKind == JsonValueKind.Array)
        {
            if (image.GetArrayLength() == 0) throw json.Error(record, "image", "is an empty array");
            image = image[0];
        }
        json.RequireObject(image, record + ".image[0]");
        return json.RequireString(image, record + ".image[0]", "name");
    }

    private static List<PersonAnnotation> ReadRects(PoseTrackJson json, JsonElement entry, string record)
    {
        var people = new List<PersonAnnotation>();
        if (!json.TryArray(entry, record, "annorect", out var rects)) return people;
        int r = 0;
        foreach (var rect in rects.EnumerateArray())
        {
            string rr = $"{record}.annorect[{r}]";
            json.RequireObject(rect, rr);
            long? track = json.OptionalInteger(rect, rr, "track_id");
            people.Add(new PersonAnnotation(
                track is long t ? json.ToInt(t, rr, "track_id") : null,
                ReadAnnopoints(json, rect, rr),
                HeadBox17(json, rect, rr),
                null,
                json.OptionalNumber(rect, rr, "score")));
            r++;
        }
        return people;
    }

    private static Box? HeadBox17(PoseTrackJson json, JsonElement rect, string record)
    {
        double? x1 = json.OptionalNumber(rect, record, "x1"), y1 = json.OptionalNumber(rect, record, "y1");
        double? x2 = json.OptionalNumber(rect, record, "x2"), y2 = json.OptionalNumber(rect, record, "y2");
        if (x1 is null && y1 is null && x2 is null && y2 is null) return null;
        foreach (var (v, f) in new[] { (x1, "x1"), (y1, "y1"), (x2, "x2"), (y2, "y2") })
            if (v is null) throw json.Error(record, f, "is missing (the head box needs all of x1, y1, x2, y2)");
        if (x2 < x1 || y2 < y1)
            throw json.Error(record, "x2", $"head box has a negative size (x1 {x1}, y1 {y1}, x2 {x2}, y2 {y2})");
        return new Box(x1!.Value, y1!.Value, x2!.Value, y2!.Value);
    }

    /// <summary>poseval's rectHasPoints: annopoints present, first element non-empty with a
    /// 'point' key; otherwise the person has no point list (null).</summary>
    private static List<AnnotatedPoint>? ReadAnnopoints(PoseTrackJson json, JsonElement rect, string record)
    {
        if (!rect.TryGetProperty("annopoints", out var ap) || ap.ValueKind == JsonValueKind.Null) return null;
        if (ap.ValueKind == JsonValueKind.Array)
        {
            if (ap.GetArrayLength() == 0) return null;
            ap = ap[0];
        }
        string ar = record + ".annopoints[0]";
        json.RequireObject(ap, ar);
        if (!json.TryArray(ap, ar, "point", out var points)) return null;
        var result = new List<AnnotatedPoint>(points.GetArrayLength());
        int p = 0;
        foreach (var point in points.EnumerateArray())
        {
            string pr = $"{ar}.point[{p}]";
            json.RequireObject(point, pr);
            result.Add(new AnnotatedPoint(
                json.ToInt(json.RequireInteger(point, pr, "id"), pr, "id"),
                json.RequireNumber(point, pr, "x"),
                json.RequireNumber(point, pr, "y"),
                json.OptionalNumber(point, pr, "score"),
                json.OptionalFlag(point, pr, "is_visible")));
            p++;
        }
        return result;
    }

    private static List<Polygon> ReadIgnoreRegions17(PoseTrackJson json, JsonElement entry, string record)
    {
        var regions = new List<Polygon>();
        if (!json.TryArray(entry, record, "ignore_regions", out var array)) return regions;
        int r = 0;
        foreach (var region in array.EnumerateArray())
        {
            string rr = $"{record}.ignore_regions[{r}]";
            json.RequireObject(region, rr);
            var vertices = new List<(double, double)>();
            if (json.TryArray(region, rr, "point", out var points))
            {
                int p = 0;
                foreach (var point in points.EnumerateArray())
                {
                    string pr = $"{rr}.point[{p}]";
                    json.RequireObject(point, pr);
                    vertices.Add((json.RequireNumber(point, pr, "x"), json.RequireNumber(point, pr, "y")));
                    p++;
                }
            }
            regions.Add(new Polygon(vertices));
            r++;
        }
        return regions;
    }

    // ---------------------------------------------------------------- PoseTrack 2018 / COCO-style

    private static CocoPoseTrackFile ReadCoco(PoseTrackJson json, JsonElement root)
    {
        var names = KeypointNamesOf(json, root);
        int[] slotToId = Skeleton.PoseTrack.SlotsToIds(names);
        var images = new List<CocoPoseTrackFile.ImageRecord>();
        int position = 0;
        foreach (var image in json.RequireArray(root, "root", "images").EnumerateArray())
        {
            string record = $"images[{position}]";
            json.RequireObject(image, record);
            long id = json.RequireInteger(image, record, "id");
            record = $"images[{position}] (id {id})";
            images.Add(new CocoPoseTrackFile.ImageRecord(position, id, json.RequireString(image, record, "file_name"),
                json.OptionalInteger(image, record, "frame_id"), json.OptionalFlag(image, record, "is_labeled"),
                IgnoreRegions18(json, image, record)));
            position++;
        }
        var people = new Dictionary<long, List<PersonAnnotation>>();
        if (json.TryArray(root, "root", "annotations", out var annotations))
        {
            int a = 0;
            foreach (var ann in annotations.EnumerateArray())
            {
                string record = $"annotations[{a}]";
                json.RequireObject(ann, record);
                if (json.OptionalInteger(ann, record, "id") is long annId) record = $"annotations[{a}] (id {annId})";
                long imageId = json.RequireInteger(ann, record, "image_id");
                if (!people.TryGetValue(imageId, out var list)) people[imageId] = list = new List<PersonAnnotation>();
                list.Add(Person18(json, ann, record, slotToId));
                a++;
            }
        }
        return new CocoPoseTrackFile { Images = images, PeopleByImage = people, KeypointNames = names };
    }

    /// <summary>poseval (convert.py, Video.from_new): exactly one category "person" with 15 or
    /// 17 keypoint names, every PoseTrack 2017 joint among them.</summary>
    private static IReadOnlyList<string> KeypointNamesOf(PoseTrackJson json, JsonElement root)
    {
        var categories = json.RequireArray(root, "root", "categories");
        if (categories.GetArrayLength() != 1)
            throw json.Error("root", "categories", $"must hold exactly one category (person), got {categories.GetArrayLength()}");
        var cat = json.RequireObject(categories[0], "categories[0]");
        string catName = json.RequireString(cat, "categories[0]", "name");
        if (catName != "person") throw json.Error("categories[0]", "name", $"must be \"person\", got \"{catName}\"");
        var kp = json.RequireArray(cat, "categories[0]", "keypoints");
        var names = new List<string>();
        int k = 0;
        foreach (var e in kp.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String) throw json.Error("categories[0]", $"keypoints[{k}]", "must be a string");
            names.Add(e.GetString()!);
            k++;
        }
        if (CocoPoseTrackFile.KeypointNamesProblem(names) is string problem) throw json.Error("categories[0]", "keypoints", problem);
        return names;
    }

    private static List<Polygon> IgnoreRegions18(PoseTrackJson json, JsonElement image, string record)
    {
        var regions = new List<Polygon>();
        bool hasX = json.TryArray(image, record, "ignore_regions_x", out var xs);
        bool hasY = json.TryArray(image, record, "ignore_regions_y", out var ys);
        if (!hasX && !hasY) return regions;
        if (hasX != hasY) throw json.Error(record, hasX ? "ignore_regions_y" : "ignore_regions_x", "is missing (both or neither)");
        if (xs.GetArrayLength() != ys.GetArrayLength())
            throw json.Error(record, "ignore_regions_y", $"has {ys.GetArrayLength()} regions, ignore_regions_x has {xs.GetArrayLength()}");
        for (int r = 0; r < xs.GetArrayLength(); r++)
        {
            var rx = xs[r];
            var ry = ys[r];
            if (rx.ValueKind != JsonValueKind.Array) throw json.Error(record, $"ignore_regions_x[{r}]", "must be an array");
            if (ry.ValueKind != JsonValueKind.Array) throw json.Error(record, $"ignore_regions_y[{r}]", "must be an array");
            if (rx.GetArrayLength() != ry.GetArrayLength())
                throw json.Error(record, $"ignore_regions_y[{r}]", $"has {ry.GetArrayLength()} values, ignore_regions_x[{r}] has {rx.GetArrayLength()}");
            var vertices = new List<(double, double)>(rx.GetArrayLength());
            for (int p = 0; p < rx.GetArrayLength(); p++)
                vertices.Add((json.Number(rx[p], record, $"ignore_regions_x[{r}][{p}]"), json.Number(ry[p], record, $"ignore_regions_y[{r}][{p}]")));
            regions.Add(new Polygon(vertices));
        }
        return regions;
    }

    /// <summary>poseval Person.from_new + to_old (<see cref="CocoPoseTrackFile.Points"/>).</summary>
    private static PersonAnnotation Person18(PoseTrackJson json, JsonElement ann, string record, int[] slotToId)
    {
        int slots = slotToId.Length;
        double[] kp = json.NumberArray(ann, record, "keypoints", 3 * slots);
        double[]? scores = null;
        if (json.TryArray(ann, record, "scores", out var sc) && sc.GetArrayLength() > 0)
            scores = json.NumberArray(ann, record, "scores", slots);
        long? track = json.OptionalInteger(ann, record, "track_id");
        return new PersonAnnotation(
            track is long t ? json.ToInt(t, record, "track_id") : null,
            CocoPoseTrackFile.Points(kp, scores, slotToId),
            json.OptionalXywhBox(ann, record, "bbox_head"),
            json.OptionalXywhBox(ann, record, "bbox"),
            json.OptionalNumber(ann, record, "score"));
    }
}
