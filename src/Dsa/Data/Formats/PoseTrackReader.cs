using System.Text.Json;

namespace Dsa.Data.Formats;

/// <summary>
/// Reads PoseTrack annotation and prediction files into the shared raw model
/// (<see cref="VideoAnnotation"/>): per-video PoseTrack 2017 (<c>annolist</c>) and 2018
/// (<c>images</c> / <c>annotations</c> / <c>categories</c>) files, detected per file, and the merged
/// COCO-style files of DCPose / PoseWarper (one file, many videos).
/// Nothing is cleaned up here: poseval's rules (first point per id, ids outside 0..14, missing
/// scores) are applied by the evaluator, so the model keeps what the file says.
/// Every malformed input raises <see cref="InvalidDataException"/> naming file, record and field.
/// </summary>
public static class PoseTrackReader
{
    /// <summary>Reads one per-video file, PoseTrack 2017 or 2018 (detected from its keys).</summary>
    /// <remarks>For a 2018 file, poseval's <c>Video.from_new</c> groups images by the number before
    /// the first '_' of their folder and evaluates only the first group; the same is done here
    /// (use <see cref="ReadMergedCoco"/> for files holding several videos on purpose).</remarks>
    public static VideoAnnotation ReadVideo(string path)
    {
        using var doc = PoseTrackJson.Parse(path);
        var json = new PoseTrackJson(path);
        var root = json.RequireObject(doc.RootElement, "root");
        string name = Path.GetFileName(path);
        if (root.TryGetProperty("annolist", out _))
            return new VideoAnnotation(name, path, PoseTrackFormat.PoseTrack17, ReadAnnolist(json, root));
        if (root.TryGetProperty("images", out _))
        {
            var coco = CocoFile.Parse(json, root);
            var frames = coco.Images;
            if (frames.Count > 0)
            {
                string first = VideoNumber(frames[0].FileName);
                frames = frames.Where(f => VideoNumber(f.FileName) == first).ToList();
            }
            return new VideoAnnotation(name, path, PoseTrackFormat.PoseTrack18, coco.BuildFrames(frames), coco.KeypointNames) { ReadWarnings = coco.Warnings(path) };
        }
        throw json.Error("root", "has neither 'annolist' (PoseTrack 2017) nor 'images' (PoseTrack 2018)");
    }

    /// <summary>Every *.json of a folder, sorted by file name (ordinal).</summary>
    public static IReadOnlyList<VideoAnnotation> ReadFolder(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: folder does not exist");
        return Directory.GetFiles(dir, "*.json")
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .Select(ReadVideo)
            .ToList();
    }

    /// <summary>
    /// A merged COCO-style file (DCPose / PoseWarper posetrack_train.json / posetrack_val.json,
    /// mmpose test_posetrack18_val.json): images of many videos. Videos are grouped by the folder of
    /// <c>file_name</c>, in order of first appearance, and named "&lt;folder&gt;.json" (the name of the
    /// per-video annotation file); frames within a video are ordered by <c>frame_id</c> (file order
    /// where it is absent), <see cref="FrameAnnotation.FrameIndex"/> is the position in that order.
    /// </summary>
    public static IReadOnlyList<VideoAnnotation> ReadMergedCoco(string path)
    {
        using var doc = PoseTrackJson.Parse(path);
        var json = new PoseTrackJson(path);
        var root = json.RequireObject(doc.RootElement, "root");
        var coco = CocoFile.Parse(json, root);
        return coco.Images
            .GroupBy(i => FolderName(i.FileName))
            .Select(g => new VideoAnnotation(
                g.Key + ".json", path, PoseTrackFormat.PoseTrack18,
                coco.BuildFrames(g.OrderBy(i => i.FrameId ?? i.Position).ThenBy(i => i.Position).ToList()),
                coco.KeypointNames) { ReadWarnings = coco.Warnings(path) })
            .ToList();
    }

    private static string FolderName(string fileName) =>
        Path.GetFileName(Path.GetDirectoryName(fileName.Replace('\\', '/')) ?? "") ?? "";

    /// <summary>poseval: path.basename(path.dirname(file_name)).split("_")[0].</summary>
    private static string VideoNumber(string fileName) => FolderName(fileName).Split('_')[0];

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

    private sealed record ImageRecord(int Position, long Id, string FileName, long? FrameId, bool? IsLabeled, List<Polygon> IgnoreRegions);

    /// <summary>The parsed images / annotations / categories of a COCO-like PoseTrack file.</summary>
    private sealed class CocoFile
    {
        public required List<ImageRecord> Images { get; init; }
        public required Dictionary<long, List<PersonAnnotation>> PeopleByImage { get; init; }
        public required IReadOnlyList<string> KeypointNames { get; init; }

        public static CocoFile Parse(PoseTrackJson json, JsonElement root)
        {
            var names = KeypointNamesOf(json, root);
            int[] slotToId = Skeleton.PoseTrack.SlotsToIds(names);
            var images = new List<ImageRecord>();
            int position = 0;
            foreach (var image in json.RequireArray(root, "root", "images").EnumerateArray())
            {
                string record = $"images[{position}]";
                json.RequireObject(image, record);
                long id = json.RequireInteger(image, record, "id");
                record = $"images[{position}] (id {id})";
                images.Add(new ImageRecord(position, id, json.RequireString(image, record, "file_name"),
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
            return new CocoFile { Images = images, PeopleByImage = people, KeypointNames = names };
        }

        /// <summary>
        /// Image ids listed twice (both frames would get the same people) and annotations whose image_id
        /// names no image (poseval drops them without a word), described once each.
        /// </summary>
        public IReadOnlyList<string> Warnings(string path)
        {
            var warnings = new List<string>();
            var duplicates = Images.GroupBy(i => i.Id).Where(g => g.Count() > 1).ToList();
            if (duplicates.Count > 0)
            {
                var first = duplicates[0].ToList();
                warnings.Add($"{path}: {duplicates.Count} image id(s) are used by more than one image, e.g. id {duplicates[0].Key} by images[{first[0].Position}] and images[{first[1].Position}] (both get the same annotations)");
            }
            var known = Images.Select(i => i.Id).ToHashSet();
            var dangling = PeopleByImage.Where(kv => !known.Contains(kv.Key)).ToList();
            if (dangling.Count > 0)
                warnings.Add($"{path}: {dangling.Sum(kv => kv.Value.Count)} annotation(s) point at image ids no image has, e.g. image_id {dangling[0].Key} (they are not evaluated)");
            return warnings;
        }

        public List<FrameAnnotation> BuildFrames(IReadOnlyList<ImageRecord> images)
        {
            var frames = new List<FrameAnnotation>(images.Count);
            for (int i = 0; i < images.Count; i++)
            {
                var im = images[i];
                IReadOnlyList<PersonAnnotation> people = PeopleByImage.TryGetValue(im.Id, out var p) ? p : Array.Empty<PersonAnnotation>();
                frames.Add(new FrameAnnotation(im.FileName, i, im.Id, im.IsLabeled, people, im.IgnoreRegions));
            }
            return frames;
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
            if (names.Count is not (15 or 17))
                throw json.Error("categories[0]", "keypoints", $"must list 15 or 17 names, got {names.Count}");
            foreach (var joint in Skeleton.PoseTrack.Joints)
                if (!names.Contains(joint.PoseTrackName))
                    throw json.Error("categories[0]", "keypoints", $"lacks the PoseTrack joint '{joint.PoseTrackName}'");
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

        /// <summary>poseval Person.from_new + to_old: a slot whose name is no PT17 joint is dropped,
        /// (0, 0, 0) is "not annotated" and dropped, v = 0 with real coordinates still counts; the
        /// score is scores[slot], none when 'scores' is missing or empty.</summary>
        private static PersonAnnotation Person18(PoseTrackJson json, JsonElement ann, string record, int[] slotToId)
        {
            int slots = slotToId.Length;
            double[] kp = json.NumberArray(ann, record, "keypoints", 3 * slots);
            double[]? scores = null;
            if (json.TryArray(ann, record, "scores", out var sc) && sc.GetArrayLength() > 0)
                scores = json.NumberArray(ann, record, "scores", slots);
            var points = new List<AnnotatedPoint>(slots);
            for (int s = 0; s < slots; s++)
            {
                if (slotToId[s] < 0) continue;
                double x = kp[3 * s], y = kp[3 * s + 1], v = kp[3 * s + 2];
                if (x == 0 && y == 0 && v == 0) continue;
                points.Add(new AnnotatedPoint(slotToId[s], x, y, scores?[s], v > 0));
            }
            long? track = json.OptionalInteger(ann, record, "track_id");
            return new PersonAnnotation(
                track is long t ? json.ToInt(t, record, "track_id") : null,
                points,
                json.OptionalXywhBox(ann, record, "bbox_head"),
                json.OptionalXywhBox(ann, record, "bbox"),
                json.OptionalNumber(ann, record, "score"));
        }
    }
}
