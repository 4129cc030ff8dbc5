using System.Text.Json.Nodes;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.Evaluation;
using Dsa.Tests.Infrastructure;
using SkiaSharp;

namespace Dsa.Tests.Evaluation;

/// <summary>
/// Inputs that poseval scores silently and wrongly (issue 15, items 8 and 9): each file is written
/// here as a few lines of PoseTrack 2018 JSON.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class HostileEvaluationTests
{
    private static readonly string[] Keypoints =
        ["nose", "head_bottom", "head_top", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
         "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"];

    /// <summary>A PT18 video: one person per frame, every joint at (10 + 40 f + j, 20 + j), head box 30 px.</summary>
    private static JsonObject Video(int frames, Func<int, int, (double X, double Y)>? point = null, bool scores = false)
    {
        point ??= (f, j) => (10 + 40 * f + j, 20 + j);
        var images = new JsonArray();
        var annotations = new JsonArray();
        for (int f = 0; f < frames; f++)
        {
            images.Add(new JsonObject { ["id"] = 100 + f, ["file_name"] = $"images/val/000001_mpii_test/{f:000000}.jpg" });
            var kp = new JsonArray();
            for (int j = 0; j < Keypoints.Length; j++)
            {
                var (x, y) = point(f, j);
                kp.Add(x); kp.Add(y); kp.Add(1);
            }
            var ann = new JsonObject { ["id"] = f, ["image_id"] = 100 + f, ["track_id"] = 0, ["keypoints"] = kp, ["bbox_head"] = new JsonArray(0, 0, 30, 30) };
            if (scores) ann["scores"] = new JsonArray(Keypoints.Select(_ => (JsonNode)0.9).ToArray());
            annotations.Add(ann);
        }
        return new JsonObject
        {
            ["categories"] = new JsonArray(new JsonObject { ["name"] = "person", ["keypoints"] = new JsonArray(Keypoints.Select(k => (JsonNode)k).ToArray()) }),
            ["images"] = images, ["annotations"] = annotations,
        };
    }

    private static (string Gt, string Pred) Folders(TempDir dir, JsonObject gt, JsonObject pred)
    {
        string g = Directory.CreateDirectory(Path.Combine(dir.Path, "gt")).FullName, p = Directory.CreateDirectory(Path.Combine(dir.Path, "pred")).FullName;
        File.WriteAllText(Path.Combine(g, "v.json"), gt.ToJsonString());
        File.WriteAllText(Path.Combine(p, "v.json"), pred.ToJsonString());
        return (g, p);
    }

    [Fact]
    public void PredictionFramesInAnotherOrderAreAWarningAndWithStrictAnError()
    {
        using var dir = new TempDir();
        var pred = Video(4, scores: true);
        // The same perfect poses with the images listed in reverse order: poseval pairs by position.
        var images = pred["images"]!.AsArray().Select(i => i!.DeepClone()).Reverse().ToArray();
        pred["images"] = new JsonArray(images);
        var (gt, p) = Folders(dir, Video(4), pred);

        var (exit, error) = DsaCli.Run("eval", "--gt", gt, "--pred", p);
        Assert.True(exit == 0, error);
        Assert.Contains("warning: ", error);
        Assert.Contains("4 of 4 frames do not show the GT's image at the same position", error);
        Assert.Contains("frame 0: GT 'images/val/000001_mpii_test/000000.jpg' (id 100), prediction 'images/val/000001_mpii_test/000003.jpg' (id 103)", error);

        (exit, error) = DsaCli.Run("eval", "--gt", gt, "--pred", p, "--strict");
        Assert.Equal(1, exit);
        Assert.Contains("not scored (--strict)", error);
    }

    [Fact]
    public void MatchingFilesGiveNoFinding()
    {
        using var dir = new TempDir();
        var (gt, p) = Folders(dir, Video(3), Video(3, scores: true));
        var (exit, error) = DsaCli.Run("eval", "--gt", gt, "--pred", p, "--strict");
        Assert.True(exit == 0, error);
        Assert.DoesNotContain("warning", error);
    }

    [Fact]
    public void DuplicateImageIdsAndDanglingAnnotationsAreReported()
    {
        using var dir = new TempDir();
        var gt = Video(3);
        gt["images"]![2]!["id"] = 101;                     // images[1] and images[2] share id 101
        gt["annotations"]![0]!["image_id"] = 999;          // an annotation of no image (and image 102's is now one too)
        string path = Path.Combine(dir.Path, "v.json");
        File.WriteAllText(path, gt.ToJsonString());
        var video = PoseTrackReader.ReadVideo(path);
        Assert.True(video.ReadWarnings.Count == 2, string.Join("\n", video.ReadWarnings));
        Assert.True(video.ReadWarnings.Any(w => w.Contains("id 101 by images[1] and images[2]") && w.StartsWith(path)), string.Join("\n", video.ReadWarnings));
        Assert.Contains(video.ReadWarnings, w => w.Contains("2 annotation(s) point at image ids no image has, e.g. image_id 999"));
        var findings = EvaluationInputCheck.Check([video], [video]);
        Assert.Equal(2, findings.Count);
    }

    [Fact]
    public void AbsurdCoordinatesAreReportedNotScoredSilently()
    {
        var gt = PoseTrackReaderFromJson(Video(2));
        var pred = PoseTrackReaderFromJson(Video(2, (f, j) => j == 5 ? (1e308, 5) : (10 + 40 * f + j, 20 + j), scores: true));
        var finding = Assert.Single(EvaluationInputCheck.Check([gt], [pred]));
        Assert.Contains("2 prediction point(s) lie outside +-100000 pixels or are not finite, e.g. frame 0", finding);
        Assert.Contains("point id", finding);
    }

    private static VideoAnnotation PoseTrackReaderFromJson(JsonObject json)
    {
        string path = Path.Combine(Path.GetTempPath(), $"v-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, json.ToJsonString());
            return PoseTrackReader.ReadVideo(path) with { Name = "v.json" };
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AHeadBoxOf1e308IsCalledTooLargeNotZeroSize()
    {
        var gt = Video(1);
        gt["annotations"]![0]!["bbox_head"] = new JsonArray(0, 0, 1e308, 1e308);
        var e = Assert.Throws<InvalidDataException>(() => PosetrackAp.Evaluate([PoseTrackReaderFromJson(gt)], [PoseTrackReaderFromJson(Video(1, scores: true))]));
        Assert.Contains("is too large", e.Message);
        Assert.DoesNotContain("zero size", e.Message);
    }

    [Fact]
    public void AHalfTruncatedJpegIsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        string whole = Path.Combine(dir.Path, "whole.jpg"), half = Path.Combine(dir.Path, "half.jpg");
        using (var bitmap = new SKBitmap(64, 48))
        {
            bitmap.Erase(SKColors.Orange);
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(whole, data.ToArray());
        }
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(half, bytes[..(bytes.Length / 2)]);
        using (var ok = AffineCrop.DecodeFrame(whole, "test")) Assert.Equal(64, ok.Width);
        var e = Assert.Throws<InvalidDataException>(() => AffineCrop.DecodeFrame(half, "video v frame 3"));
        Assert.Contains(half, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("video v frame 3", e.Message);
    }
}
