using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Data;

/// <summary>
/// The stream reader (the fast path) against the document reader it stands in for: on every PoseTrack file of the
/// fixtures it must take the file and build the same model, to the bit; on inputs the document reader refuses it must
/// give up (so that the document reader names the problem); on unusual but valid inputs the reader as a whole must
/// still build what the document reader builds.
/// </summary>
public class PoseTrackStreamReaderTests
{
    /// <summary>Every per-video PoseTrack file of the fixtures: poseval cases (GT and predictions), Bonn, mmpose.</summary>
    public static IEnumerable<object[]> FixtureVideoFiles()
    {
        var root = Fixtures.Root is null ? null : Path.Combine(Fixtures.Root, "posetrack");
        var files = new List<string>();
        if (root is not null && Directory.Exists(root))
        {
            foreach (var caseDir in Directory.GetDirectories(Path.Combine(root, "poseval_cases")))
                foreach (var sub in new[] { "gt", "pred" })
                    if (Directory.Exists(Path.Combine(caseDir, sub))) files.AddRange(Directory.GetFiles(Path.Combine(caseDir, sub), "*.json"));
            files.AddRange(new[] { "gt_pt17.json", "gt_pt18.json" }.Select(f => Path.Combine(root, "frames", "bonn_060470979", f)).Where(File.Exists));
            var mmpose = Path.Combine(root, "frames", "posetrack18_mmpose", "annotations", "val");
            if (Directory.Exists(mmpose)) files.AddRange(Directory.GetFiles(mmpose, "*.json"));
        }
        if (files.Count == 0) yield return new object[] { "" };
        foreach (var f in files.OrderBy(f => f, StringComparer.Ordinal)) yield return new object[] { Path.GetRelativePath(root!, f) };
    }

    [SkippableTheory]
    [MemberData(nameof(FixtureVideoFiles))]
    public void Fixture_file_is_read_by_the_stream_reader_exactly_as_by_the_document_reader(string relative)
    {
        Skip.If(relative == "", "no PoseTrack fixture files");
        string path = Fixtures.Require(new[] { "posetrack" }.Concat(relative.Split(Path.DirectorySeparatorChar)).ToArray());
        byte[] bytes = File.ReadAllBytes(path);
        var fast = PoseTrackStreamReader.TryReadVideo(bytes, path);
        Assert.NotNull(fast);
        Assert.Equal(Describe(PoseTrackDocumentReader.ReadVideo(bytes, path)), Describe(fast));
        Assert.Equal(Describe(fast), Describe(PoseTrackReader.ReadVideo(path)));
    }

    [SkippableFact]
    public void Merged_fixture_file_is_read_by_the_stream_reader_exactly_as_by_the_document_reader()
    {
        string path = Fixtures.Require("posetrack", "frames", "posetrack18_mmpose", "annotations", "test_posetrack18_val.json");
        byte[] bytes = File.ReadAllBytes(path);
        var fast = PoseTrackStreamReader.TryReadCoco(bytes);
        Assert.NotNull(fast);
        var expected = PoseTrackDocumentReader.ReadCoco(bytes, path).Videos(path);
        Assert.Equal(expected.Select(Describe), fast.Videos(path).Select(Describe));
        Assert.Equal(expected.Select(Describe), PoseTrackReader.ReadMergedCoco(path).Select(Describe));
    }

    private const string Pt18Keypoints = """["nose","head_bottom","head_top","left_ear","right_ear","left_shoulder","right_shoulder","left_elbow","right_elbow","left_wrist","right_wrist","left_hip","right_hip","left_knee","right_knee","left_ankle","right_ankle"]""";

    private static string Kp(params double[] firstValues) =>
        "[" + string.Join(",", firstValues.Concat(Enumerable.Repeat(0.0, 51 - firstValues.Length)).Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>Valid files written the ways real ones are not (but the document reader accepts).</summary>
    public static TheoryData<string, string> Unusual => new()
    {
        { "bare and wrapped scalars mixed", """{"annolist":[{"image":{"name":"v/1.jpg"},"is_labeled":true,"annorect":[{"x1":1,"y1":[2],"x2":3,"y2":[5],"track_id":[4],"score":0.5,"annopoints":{"point":[{"id":3,"x":[1.5],"y":2.5,"score":[0.25],"is_visible":"1"}]}}]}]}""" },
        { "wrapped null is absent", """{"annolist":[{"image":[{"name":["v/1.jpg"]}],"is_labeled":[null],"annorect":[{"track_id":[null],"score":[null],"annopoints":[{"point":[{"id":[1],"x":[1],"y":[2],"score":[null],"is_visible":[null]}]}]}]}]}""" },
        { "integers written as floats", """{"annolist":[{"image":[{"name":"a"}],"annorect":[{"track_id":[3.0],"annopoints":[{"point":[{"id":[1e1],"x":[1e2],"y":[-0.0]}]}]}]}]}""" },
        { "flags as numbers and strings", """{"annolist":[{"image":[{"name":"a"}],"is_labeled":["0"],"annorect":[{"annopoints":[{"point":[{"id":[1],"x":[1],"y":[2],"is_visible":[2.5]},{"id":[2],"x":[1],"y":[2],"is_visible":["NaN"]},{"id":[3],"x":[1],"y":[2],"is_visible":false}]}]}]}]}""" },
        { "repeated fields: the last counts", """{"annolist":[{"image":[{"name":"a"}],"image":[{"name":"b"}],"annorect":[{"track_id":[1],"track_id":[2],"annopoints":[{"point":[{"id":[1],"x":[1],"y":[2],"x":[7]}]}]}]}]}""" },
        { "repeated field: a bad first value is never read", """{"annolist":[{"image":[{"name":"a"}],"annorect":[{"track_id":["x"],"track_id":[2]}]}]}""" },
        { "annopoints and image arrays with more elements", """{"annolist":[{"image":[{"name":"a"},{"name":"b"},7],"annorect":[{"annopoints":[{"point":[{"id":[1],"x":[1],"y":[2]}]},{"point":"ignored"},[1,2]]}]}]}""" },
        { "no point lists: absent, null, empty, without 'point', null 'point'", """{"annolist":[{"image":[{"name":"a"}],"annorect":[{},{"annopoints":null},{"annopoints":[]},{"annopoints":[{}]},{"annopoints":{"point":null}},{"annopoints":[{"point":[]}]}]}]}""" },
        { "null and absent lists", """{"annolist":[{"image":[{"name":"a"}],"annorect":null,"ignore_regions":null},{"image":[{"name":"b"}]}]}""" },
        { "ignore regions", """{"annolist":[{"image":[{"name":"a"}],"ignore_regions":[{"point":[{"x":[1],"y":[2]},{"x":3,"y":4},{"x":[5],"y":[6]}]},{},{"point":null},{"point":[{"x":1,"y":1}],"point":[{"x":2,"y":2}]}]}]}""" },
        { "unknown fields of every kind", """{"version":[1,{"a":[[]]}],"annolist":[{"extra":{"deep":[{"x":"y"}]},"image":[{"name":"a","id":{}}],"annorect":[{"head":[1,2],"annopoints":[{"point":[{"id":[1],"x":[1],"y":[2],"note":null}],"other":true}]}]}]}""" },
        { "escaped strings and names", """{"annolist":[{"image":[{"name":"v\/\u0031.jpg"}],"annorect":[{"annopoints":[{"po\u0069nt":[{"id":[1],"x":[1],"y":[2]}]}]}]}]}""" },
        { "annolist wins over images", """{"images":[{"nothing":"usable"}],"annolist":[{"image":[{"name":"a"}]}],"categories":7}""" },
        { "empty annolist", """{"annolist":[]}""" },
        { "white space everywhere", " \r\n\t{ \"annolist\" : [ { \"image\" : [ { \"name\" : \"a\" } ] } ] } \n " },
        { "pt18, categories last", """{"images":[{"id":7,"file_name":"images/val/000001_mpii_test/000000.jpg","frame_id":[7],"is_labeled":1}],"annotations":[{"id":1,"image_id":7,"keypoints":""" + Kp(1, 2, 1, 0, 0, 0, 5, 6, 0) + ""","scores":[],"track_id":0,"bbox_head":[1,2,3,4],"bbox":null,"score":[0.5]}],"categories":[{"name":["person"],"keypoints":""" + Pt18Keypoints + "}]}" },
        { "pt18, scores, ignore regions, second video dropped", """{"categories":[{"supercategory":"person","id":1,"name":"person","keypoints":""" + Pt18Keypoints + """}],"images":[{"id":1,"file_name":"images/val/000001_mpii_test/000000.jpg","ignore_regions_x":[[1,2,3],[]],"ignore_regions_y":[[4,5,6],[]]},{"id":2,"file_name":"images/val/000002_mpii_test/000000.jpg"}],"annotations":[{"image_id":1,"keypoints":""" + Kp(1, 2, 1) + ""","scores":[""" + string.Join(",", Enumerable.Range(0, 17)) + """]},{"image_id":9,"keypoints":""" + Kp() + """},{"image_id":2,"keypoints":""" + Kp(3, 3, 3) + "}]}" },
        { "pt18, repeated image id", """{"categories":[{"name":"person","keypoints":""" + Pt18Keypoints + """}],"images":[{"id":1,"file_name":"a/000001_x/1.jpg"},{"id":1,"file_name":"a/000001_x/2.jpg"}],"annotations":null}""" },
        { "pt18, 15 keypoint names", """{"categories":[{"name":"person","keypoints":["right_ankle","right_knee","right_hip","left_hip","left_knee","left_ankle","right_wrist","right_elbow","right_shoulder","left_shoulder","left_elbow","left_wrist","head_bottom","nose","head_top"]}],"images":[{"id":1,"file_name":"a/000001_x/1.jpg"}],"annotations":[{"image_id":1,"keypoints":[""" + string.Join(",", Enumerable.Range(1, 45)) + "]}]}" },
    };

    [Theory]
    [MemberData(nameof(Unusual))]
    public void Unusual_valid_input_reads_as_the_document_reader_reads_it(string name, string content)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "video.json");
        File.WriteAllText(path, content);
        byte[] bytes = File.ReadAllBytes(path);
        string expected = Describe(PoseTrackDocumentReader.ReadVideo(bytes, path));
        Assert.True(expected == Describe(PoseTrackReader.ReadVideo(path)), name);
        // Where the fast path takes the file, it builds the same model.
        if (PoseTrackStreamReader.TryReadVideo(bytes, path) is { } fast) Assert.True(expected == Describe(fast), name);
    }

    [Theory]
    [MemberData(nameof(PoseTrackReaderTests.Malformed), MemberType = typeof(PoseTrackReaderTests))]
    public void Malformed_input_is_left_to_the_document_reader(string name, string content, string[] expected)
    {
        _ = expected;
        byte[] bytes = Encoding.UTF8.GetBytes(content);
        Assert.Throws<InvalidDataException>(() => PoseTrackDocumentReader.ReadVideo(bytes, "bad_file.json"));
        Assert.True(PoseTrackStreamReader.TryReadVideo(bytes, "bad_file.json") is null, name);
    }

    private const string Pt17Sample = """{"annolist":[{"image":[{"name":"v/1.jpg"}],"is_labeled":[1],"annorect":[{"x1":[1],"y1":[2],"x2":[30],"y2":[50],"track_id":[4],"score":[0.9],"annopoints":[{"point":[{"id":[3],"x":[1.5],"y":[2.5],"score":[0.25],"is_visible":[1]},{"id":[5],"x":[7],"y":[8]}]}]}],"ignore_regions":[{"point":[{"x":[0],"y":[0]},{"x":[9],"y":[0]},{"x":[9],"y":[9]}]}]}]}""";

    private static readonly string Pt18Sample = """{"categories":[{"name":"person","keypoints":""" + Pt18Keypoints + """}],"images":[{"id":7,"file_name":"images/val/000001_mpii_test/000000.jpg","frame_id":7,"is_labeled":true,"ignore_regions_x":[[1,2,3]],"ignore_regions_y":[[4,5,6]]}],"annotations":[{"id":1,"image_id":7,"track_id":2,"keypoints":[1,2,1,3,4,0,0,0,0,5,6,1,7,8,1,9,10,1,11,12,1,13,14,1,15,16,1,17,18,1,19,20,1,21,22,1,23,24,1,25,26,1,27,28,1,29,30,1,31,32,1],"scores":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17],"bbox_head":[1,2,3,4],"bbox":[0,0,10,20],"score":0.5}]}""";

    /// <summary>
    /// Every value of a small PT17 and PT18 file replaced, one at a time, by each of a set of other values (and every
    /// field removed): wherever the document reader refuses the result, the stream reader must give up; wherever it
    /// accepts it, the reader as a whole, and the stream reader if it takes the file, must build the same model.
    /// </summary>
    [Fact]
    public void Every_single_value_change_is_refused_or_read_as_the_document_reader_does()
    {
        var replacements = new Func<JsonNode?>[]
        {
            () => null, () => JsonValue.Create("x"), () => JsonValue.Create("1"), () => JsonValue.Create(1.5), () => JsonValue.Create(-3),
            () => JsonValue.Create(0), () => JsonValue.Create(1e300), () => JsonValue.Create(3e9), () => JsonValue.Create(true),
            () => new JsonArray(), () => new JsonArray(1, 2), () => new JsonArray(JsonValue.Create("x")), () => new JsonObject(),
        };
        int refused = 0, accepted = 0;
        foreach (string sample in new[] { Pt17Sample, Pt18Sample })
        {
            int positions = Positions(JsonNode.Parse(sample)!).Count;
            for (int at = 0; at < positions; at++)
            {
                var variants = replacements.Select(make => Mutate(sample, at, node => Replace(node, make()))).ToList();
                variants.Add(Mutate(sample, at, node => Replace(node, new JsonArray(node.DeepClone()))));
                variants.Add(Mutate(sample, at, Remove));
                foreach (string? variant in variants)
                {
                    if (variant is null) continue;
                    byte[] bytes = Encoding.UTF8.GetBytes(variant);
                    string? expected;
                    try { expected = Describe(PoseTrackDocumentReader.ReadVideo(bytes, "v.json")); }
                    catch (InvalidDataException) { expected = null; }
                    var fast = PoseTrackStreamReader.TryReadVideo(bytes, "v.json");
                    if (expected is null)
                    {
                        refused++;
                        Assert.True(fast is null, $"the stream reader took what the document reader refuses: {variant}");
                    }
                    else
                    {
                        accepted++;
                        if (fast is not null) Assert.True(expected == Describe(fast), $"different models for {variant}");
                    }
                }
            }
        }
        Assert.True(refused > 100 && accepted > 100, $"refused {refused}, accepted {accepted}");
    }

    private static List<JsonNode> Positions(JsonNode root)
    {
        var all = new List<JsonNode>();
        void Walk(JsonNode node)
        {
            all.Add(node);
            if (node is JsonObject o) foreach (var (_, child) in o.ToList()) { if (child is not null) Walk(child); }
            else if (node is JsonArray a) foreach (var child in a.ToList()) { if (child is not null) Walk(child); }
        }
        Walk(root);
        return all;
    }

    /// <summary>The sample with its <paramref name="at"/>-th node (depth first) changed; null where the change does not apply.</summary>
    private static string? Mutate(string sample, int at, Func<JsonNode, bool> change)
    {
        var root = JsonNode.Parse(sample)!;
        var node = Positions(root)[at];
        return node.Parent is null || !change(node) ? null : root.ToJsonString();
    }

    private static bool Replace(JsonNode node, JsonNode? value)
    {
        var parent = node.Parent!;
        if (parent is JsonObject o) o[node.GetPropertyName()] = value;
        else ((JsonArray)parent)[node.GetElementIndex()] = value;
        return true;
    }

    private static bool Remove(JsonNode node)
    {
        if (node.Parent is JsonObject o) return o.Remove(node.GetPropertyName());
        ((JsonArray)node.Parent!).RemoveAt(node.GetElementIndex());
        return true;
    }

    [Fact]
    public void Folder_read_side_by_side_reports_the_first_bad_file_in_name_order()
    {
        using var dir = new TempDir();
        string good = """{"annolist":[{"image":[{"name":"a"}]}]}""";
        File.WriteAllText(Path.Combine(dir.Path, "a.json"), good);
        File.WriteAllText(Path.Combine(dir.Path, "b.json"), """{"annolist":[{"annorect":[]}]}""");
        File.WriteAllText(Path.Combine(dir.Path, "c.json"), """{"annolist":7}""");
        for (int i = 0; i < 20; i++) File.WriteAllText(Path.Combine(dir.Path, $"d{i:00}.json"), good);
        for (int run = 0; run < 5; run++)
        {
            var e = Assert.Throws<InvalidDataException>(() => PoseTrackReader.ReadFolder(dir.Path));
            Assert.Contains("b.json", e.Message);
            Assert.Contains("'image'", e.Message);
        }
    }

    [Fact]
    public void Prediction_folder_reports_a_missing_file_or_a_bad_one_whichever_comes_first()
    {
        using var gt = new TempDir();
        using var pred = new TempDir();
        string good = """{"annolist":[{"image":[{"name":"a"}]}]}""";
        foreach (var name in new[] { "a", "b", "c" }) File.WriteAllText(Path.Combine(gt.Path, name + ".json"), good);
        File.WriteAllText(Path.Combine(pred.Path, "a.json"), good);
        File.WriteAllText(Path.Combine(pred.Path, "c.json"), "{");
        var missing = Assert.Throws<InvalidDataException>(() => Dsa.Evaluation.PosetrackAp.ReadFolders(gt.Path, pred.Path));
        Assert.Contains("b.json: prediction file for GT", missing.Message);
        File.WriteAllText(Path.Combine(pred.Path, "a.json"), "{");
        var bad = Assert.Throws<InvalidDataException>(() => Dsa.Evaluation.PosetrackAp.ReadFolders(gt.Path, pred.Path));
        Assert.Contains("a.json: not valid JSON", bad.Message);
        Assert.Contains(pred.Path, bad.Message);
        // A bad GT file comes before any prediction problem.
        File.WriteAllText(Path.Combine(gt.Path, "c.json"), """{"annolist":7}""");
        var badGt = Assert.Throws<InvalidDataException>(() => Dsa.Evaluation.PosetrackAp.ReadFolders(gt.Path, pred.Path));
        Assert.Contains(Path.Combine(gt.Path, "c.json"), badGt.Message);
    }

    /// <summary>Everything the model holds, doubles by their bits.</summary>
    private static string Describe(VideoAnnotation v)
    {
        var s = new StringBuilder();
        s.Append($"{v.Name}|{v.SourcePath}|{v.Format}|{(v.KeypointNames is null ? "-" : string.Join(",", v.KeypointNames))}|{string.Join(";", v.ReadWarnings)}\n");
        foreach (var f in v.Frames)
        {
            s.Append($"frame {f.ImagePath}|{f.FrameIndex}|{f.ImageId}|{f.IsLabeled}|regions ");
            foreach (var r in f.IgnoreRegions) s.Append('[').AppendJoin(' ', r.Vertices.Select(p => $"{Bits(p.X)},{Bits(p.Y)}")).Append(']');
            s.Append('\n');
            foreach (var p in f.People)
            {
                s.Append($"  person {p.TrackId}|{Box(p.HeadBox)}|{Box(p.PersonBox)}|{Bits(p.Score)}|");
                if (p.Points is null) s.Append("no points");
                else foreach (var pt in p.Points) s.Append($"({pt.Id} {Bits(pt.X)} {Bits(pt.Y)} {Bits(pt.Score)} {pt.Visible})");
                s.Append('\n');
            }
        }
        return s.ToString();
    }

    private static string Bits(double? d) => d is double x ? BitConverter.DoubleToInt64Bits(x).ToString("x16") : "-";
    private static string Box(Box? b) => b is Box x ? $"{Bits(x.X1)} {Bits(x.Y1)} {Bits(x.X2)} {Bits(x.Y2)}" : "-";
}
