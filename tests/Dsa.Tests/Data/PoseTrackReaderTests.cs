using System.Text.Json;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Data;

public class PoseTrackReaderTests
{
    private static string Bonn(string file) => Fixtures.Require("posetrack", "frames", "bonn_060470979", file);
    private static string Mmpose(params string[] parts) =>
        Fixtures.Require(new[] { "posetrack", "frames", "posetrack18_mmpose", "annotations" }.Concat(parts).ToArray());

    [SkippableFact]
    public void Bonn_pt17_and_pt18_give_the_same_people_joints_and_head_boxes()
    {
        var v17 = PoseTrackReader.ReadVideo(Bonn("gt_pt17.json"));
        var v18 = PoseTrackReader.ReadVideo(Bonn("gt_pt18.json"));
        Assert.Equal(PoseTrackFormat.PoseTrack17, v17.Format);
        Assert.Equal(PoseTrackFormat.PoseTrack18, v18.Format);
        Assert.Equal(v17.Frames.Count, v18.Frames.Count);
        for (int f = 0; f < v17.Frames.Count; f++)
        {
            var a = v17.Frames[f].People;
            var b = v18.Frames[f].People;
            Assert.Equal(a.Count, b.Count);
            for (int p = 0; p < a.Count; p++)
            {
                Assert.Equal(a[p].TrackId, b[p].TrackId);
                var ha = a[p].HeadBox!.Value;
                var hb = b[p].HeadBox!.Value;
                Assert.Equal(ha.X1, hb.X1, 9); Assert.Equal(ha.Y1, hb.Y1, 9);
                Assert.Equal(ha.X2, hb.X2, 9); Assert.Equal(ha.Y2, hb.Y2, 9);
                var ja = a[p].JointArray();
                var jb = b[p].JointArray();
                for (int j = 0; j < 15; j++)
                {
                    Assert.Equal(ja[j] is null, jb[j] is null);
                    if (ja[j] is null) continue;
                    Assert.Equal(ja[j]!.X, jb[j]!.X);
                    Assert.Equal(ja[j]!.Y, jb[j]!.Y);
                }
            }
        }
    }

    [SkippableFact]
    public void Bonn_pt17_counts_equal_the_raw_json()
    {
        string path = Bonn("gt_pt17.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var annolist = doc.RootElement.GetProperty("annolist");
        int people = 0, labelled = 0, joints = 0;
        foreach (var frame in annolist.EnumerateArray())
        {
            if (frame.GetProperty("is_labeled")[0].GetInt32() == 1) labelled++;
            foreach (var rect in frame.GetProperty("annorect").EnumerateArray())
            {
                people++;
                joints += rect.GetProperty("annopoints")[0].GetProperty("point").GetArrayLength();
            }
        }
        var video = PoseTrackReader.ReadVideo(path);
        Assert.Equal(annolist.GetArrayLength(), video.Frames.Count);
        Assert.Equal(people, video.Frames.Sum(f => f.People.Count));
        Assert.Equal(labelled, video.Frames.Count(f => f.IsLabeled == true));
        Assert.Equal(joints, video.Frames.Sum(f => f.People.Sum(p => p.Points!.Count)));
    }

    [SkippableFact]
    public void Bonn_pt18_counts_equal_the_raw_json()
    {
        string path = Bonn("gt_pt18.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        int joints = 0;
        foreach (var ann in root.GetProperty("annotations").EnumerateArray())
        {
            var kp = ann.GetProperty("keypoints").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int s = 0; s < 17; s++)
                if (s is not (3 or 4) && !(kp[3 * s] == 0 && kp[3 * s + 1] == 0 && kp[3 * s + 2] == 0)) joints++;
        }
        var video = PoseTrackReader.ReadVideo(path);
        Assert.Equal(root.GetProperty("images").GetArrayLength(), video.Frames.Count);
        Assert.Equal(root.GetProperty("annotations").GetArrayLength(), video.Frames.Sum(f => f.People.Count));
        Assert.Equal(root.GetProperty("images").EnumerateArray().Count(i => i.GetProperty("is_labeled").GetBoolean()),
            video.Frames.Count(f => f.IsLabeled == true));
        Assert.Equal(joints, video.Frames.Sum(f => f.People.Sum(p => p.Points!.Count)));
        Assert.All(video.Frames, f => Assert.NotNull(f.ImageId));
    }

    [SkippableFact]
    public void Mmpose_pt18_files_merged_file_and_detections_read()
    {
        foreach (string seq in new[] { "003418_mpii_test", "009473_mpii_test", "012834_mpii_test" })
        {
            string path = Mmpose("val", seq + ".json");
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var v = PoseTrackReader.ReadVideo(path);
            Assert.Equal(doc.RootElement.GetProperty("images").GetArrayLength(), v.Frames.Count);
            Assert.Equal(doc.RootElement.GetProperty("annotations").GetArrayLength(), v.Frames.Sum(f => f.People.Count));
            int regions = doc.RootElement.GetProperty("images")[0].GetProperty("ignore_regions_x").GetArrayLength();
            Assert.Equal(regions, v.Frames[0].IgnoreRegions.Count);
            Assert.All(v.Frames.SelectMany(f => f.People), p => Assert.NotNull(p.HeadBox));
        }

        string merged = Mmpose("test_posetrack18_val.json");
        var videos = PoseTrackReader.ReadMergedCoco(merged);
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(merged)))
        {
            var folders = doc.RootElement.GetProperty("images").EnumerateArray()
                .Select(i => Path.GetFileName(Path.GetDirectoryName(i.GetProperty("file_name").GetString()!)!)).Distinct().ToList();
            Assert.Equal(folders.Select(f => f + ".json"), videos.Select(v => v.Name));
            Assert.Equal(doc.RootElement.GetProperty("annotations").GetArrayLength(), videos.Sum(v => v.Frames.Sum(f => f.People.Count)));
        }
        // The merged file holds the same people as the per-video files.
        foreach (var v in videos)
        {
            var single = PoseTrackReader.ReadVideo(Mmpose("val", v.Name));
            Assert.Equal(single.Frames[0].People.Count, v.Frames[0].People.Count);
            Assert.Equal(single.Frames[0].People.Sum(p => p.Points!.Count), v.Frames[0].People.Sum(p => p.Points!.Count));
        }

        string detPath = Mmpose("test_posetrack18_human_detections.json");
        using var det = JsonDocument.Parse(File.ReadAllBytes(detPath));
        var all = DetectionBoxes.Read(detPath, 0.0);
        Assert.Equal(det.RootElement.EnumerateArray().Count(d => d.GetProperty("category_id").GetInt32() == 1), all.Count);
        var confident = DetectionBoxes.Read(detPath, 0.5);
        Assert.Equal(det.RootElement.EnumerateArray().Count(d => d.GetProperty("category_id").GetInt32() == 1 && d.GetProperty("score").GetDouble() >= 0.5),
            confident.Count);
        Assert.All(videos.SelectMany(v => v.Frames), f => Assert.NotEmpty(all.ForImage(f.ImageId!.Value)));
    }

    [Fact]
    public void Folder_is_read_sorted_and_both_wrapped_and_bare_scalars_are_accepted()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "b.json"),
            """{"annolist":[{"image":{"name":"v/1.jpg"},"annorect":[{"x1":1,"y1":2,"x2":3,"y2":5,"track_id":4,"annopoints":{"point":[{"id":3,"x":1.5,"y":2.5,"score":0.25,"is_visible":true}]}}]}]}""");
        File.WriteAllText(Path.Combine(dir.Path, "a.json"),
            """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[{"x1":[1],"y1":[2],"x2":[3],"y2":[5],"track_id":[4],"annopoints":[{"point":[{"id":[3],"x":[1.5],"y":[2.5],"score":[0.25],"is_visible":[1]}]}]}],"is_labeled":[1]}]}""");
        var videos = PoseTrackReader.ReadFolder(dir.Path);
        Assert.Equal(new[] { "a.json", "b.json" }, videos.Select(v => v.Name));
        foreach (var v in videos)
        {
            var person = Assert.Single(v.Frames[0].People);
            Assert.Equal(new Box(1, 2, 3, 5), person.HeadBox);
            Assert.Equal(4, person.TrackId);
            Assert.Equal(new AnnotatedPoint(3, 1.5, 2.5, 0.25, true), Assert.Single(person.Points!));
        }
    }

    private const string Pt18Head = """{"categories":[{"name":"person","keypoints":["nose","head_bottom","head_top","left_ear","right_ear","left_shoulder","right_shoulder","left_elbow","right_elbow","left_wrist","right_wrist","left_hip","right_hip","left_knee","right_knee","left_ankle","right_ankle"]}],"images":[{"id":7,"file_name":"images/val/000001_mpii_test/000000.jpg"}],"annotations":[""";
    private static string Kp(int n) => "[" + string.Join(",", Enumerable.Repeat("1", n)) + "]";

    public static TheoryData<string, string, string[]> Malformed => new()
    {
        { "truncated", """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[""", new[] { "not valid JSON", "line" } },
        { "bare NaN", """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[{"annopoints":[{"point":[{"id":[0],"x":[NaN],"y":[1]}]}]}]}]}""", new[] { "not valid JSON", "NaN" } },
        { "NaN string coordinate", """{"annolist":[{"image":[{"name":"a"}]},{"image":[{"name":"v/1.jpg"}],"annorect":[{},{"annopoints":[{"point":[{"id":[0],"x":["NaN"],"y":[1]}]}]}]}]}""", new[] { "annolist[1].annorect[1].annopoints[0].point[0]", "'x'" } },
        { "missing y", """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[{"annopoints":[{"point":[{"id":[0],"x":[3]}]}]}]}]}""", new[] { "annolist[0].annorect[0].annopoints[0].point[0]", "'y'", "missing" } },
        { "missing id", """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[{"annopoints":[{"point":[{"x":[3],"y":[4]}]}]}]}]}""", new[] { "point[0]", "'id'", "missing" } },
        { "string id", """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[{"annopoints":[{"point":[{"id":["knee"],"x":[3],"y":[4]}]}]}]}]}""", new[] { "point[0]", "'id'", "integer" } },
        { "negative head box", """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[{"x1":[10],"y1":[0],"x2":[5],"y2":[4]}]}]}""", new[] { "annolist[0].annorect[0]", "'x2'", "negative" } },
        { "incomplete head box", """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[{"x1":[10],"y1":[0],"x2":[5]}]}]}""", new[] { "annolist[0].annorect[0]", "'y2'", "missing" } },
        { "two-element wrapped x", """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[{"annopoints":[{"point":[{"id":[0],"x":[3,4],"y":[4]}]}]}]}]}""", new[] { "point[0]", "'x'", "1-element" } },
        { "annorect not an array", """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":{"x1":1}}]}""", new[] { "annolist[0]", "'annorect'", "array" } },
        { "missing image", """{"annolist":[{"annorect":[]}]}""", new[] { "annolist[0]", "'image'", "missing" } },
        { "neither format", """{"foo":1}""", new[] { "root", "annolist" } },
        { "pt18 keypoints of wrong length", Pt18Head + """{"id":1234,"image_id":7,"keypoints":""" + Kp(50) + "}]}", new[] { "annotations[0] (id 1234)", "'keypoints'", "51" } },
        { "pt18 scores of wrong length", Pt18Head + """{"id":1234,"image_id":7,"keypoints":""" + Kp(51) + ""","scores":[1,2]}]}""", new[] { "annotations[0] (id 1234)", "'scores'", "17" } },
        { "pt18 string keypoint", Pt18Head + """{"id":1234,"image_id":7,"keypoints":["a"]}]}""", new[] { "annotations[0] (id 1234)", "'keypoints'" } },
        { "pt18 zero-width negative head box", Pt18Head + """{"id":5,"image_id":7,"keypoints":""" + Kp(51) + ""","bbox_head":[1,1,-2,3]}]}""", new[] { "annotations[0] (id 5)", "'bbox_head'", "negative" } },
        { "pt18 missing image_id", Pt18Head + """{"id":5,"keypoints":""" + Kp(51) + "}]}", new[] { "annotations[0] (id 5)", "'image_id'", "missing" } },
        { "pt18 two categories", """{"categories":[{"name":"person","keypoints":[]},{"name":"x"}],"images":[]}""", new[] { "root", "'categories'", "one" } },
        { "pt18 category lacks a joint", """{"categories":[{"name":"person","keypoints":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o"]}],"images":[]}""", new[] { "categories[0]", "'keypoints'", "right_ankle" } },
        { "pt18 image without file_name", """{"categories":[{"name":"person","keypoints":["nose","head_bottom","head_top","left_ear","right_ear","left_shoulder","right_shoulder","left_elbow","right_elbow","left_wrist","right_wrist","left_hip","right_hip","left_knee","right_knee","left_ankle","right_ankle"]}],"images":[{"id":3}]}""", new[] { "images[0] (id 3)", "'file_name'", "missing" } },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_names_file_record_and_field(string name, string content, string[] expected)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "bad_file.json");
        File.WriteAllText(path, content);
        var ex = Assert.Throws<InvalidDataException>(() => PoseTrackReader.ReadVideo(path));
        Assert.Contains("bad_file.json", ex.Message);
        foreach (string part in expected) Assert.True(ex.Message.Contains(part), $"{name}: '{part}' not in: {ex.Message}");
    }

    [Fact]
    public void Malformed_detections_name_the_record()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "dets.json");
        File.WriteAllText(path, """[{"image_id":1,"bbox":[0,0,1,1],"score":0.5},{"image_id":1,"bbox":[0,0,1],"score":0.5}]""");
        var ex = Assert.Throws<InvalidDataException>(() => DetectionBoxes.Read(path, 0));
        Assert.Contains("dets.json", ex.Message);
        Assert.Contains("[1]", ex.Message);
        Assert.Contains("'bbox'", ex.Message);
    }
}
