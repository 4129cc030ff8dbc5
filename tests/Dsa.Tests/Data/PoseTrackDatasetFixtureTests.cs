using System.Text.Json;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Data;

/// <summary>Samples from the real fixtures (Bonn clip in both formats, mmpose's PoseTrack18 files).</summary>
public class PoseTrackDatasetFixtureTests
{
    private static readonly PoseTrackDatasetOptions FromKeypoints = new() { BoxSource = BoxSource.Keypoints };

    [SkippableFact]
    public void BonnClipGivesIdenticalSamplesFromItsPoseTrack17AndPoseTrack18Files()
    {
        string dir = Fixtures.Require("posetrack", "frames", "bonn_060470979");
        var v17 = PoseTrackReader.ReadVideo(Path.Combine(dir, "gt_pt17.json"));
        var v18 = PoseTrackReader.ReadVideo(Path.Combine(dir, "gt_pt18.json"));
        var a = new PoseTrackVideoDataset(new[] { v17 }, dir, FromKeypoints);
        var b = new PoseTrackVideoDataset(new[] { v18 }, dir, FromKeypoints);
        Assert.Equal(41 * 4, a.Count); // README: 41 frames, 4 people in every frame
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            var (s, t) = (a[i], b[i]);
            Assert.Equal((s.KeyFrame, s.Person, s.TrackId), (t.KeyFrame, t.Person, t.TrackId));
            Assert.Equal(s.FrameIndices, t.FrameIndices);
            Assert.Equal(s.FramePaths, t.FramePaths);
            Assert.Equal(s.Visibility, t.Visibility);
            Assert.Equal(14, s.Visibility.Count(v => v > 0)); // Bonn: 14 joints, no nose
            for (int j = 0; j < 15; j++)
            {
                Assert.Equal(s.Joints[j].X, t.Joints[j].X, 9);
                Assert.Equal(s.Joints[j].Y, t.Joints[j].Y, 9);
            }
            Assert.Equal(s.Box.X1, t.Box.X1, 9); Assert.Equal(s.Box.Y2, t.Box.Y2, 9);
        }
        Assert.True(File.Exists(a[0].FramePaths[0]), a[0].FramePaths[0]);
        Assert.Equal(new[] { 0, 0, 0, 1, 2 }, a[0].FrameIndices);
        // The same sample through the pipeline, same seed: the same tensors.
        var pipeline = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16));
        foreach (int i in new[] { 0, a.Count - 1 })
        {
            var x = pipeline.Prepare(a[i], new Random(i));
            var y = pipeline.Prepare(b[i], new Random(i));
            Assert.Equal(x.Frames, y.Frames);
            Assert.Equal(x.Target, y.Target);
            Assert.Equal(x.TargetWeight, y.TargetWeight);
        }
        // The PT18 file's own boxes (poseval's keypoint rule) are what BoxSource.Keypoints computes.
        var annotated = new PoseTrackVideoDataset(new[] { v18 }, dir);
        for (int i = 0; i < annotated.Count; i += 17)
        {
            Assert.Equal(b[i].Box.X1, annotated[i].Box.X1, 3);
            Assert.Equal(b[i].Box.Y2, annotated[i].Box.Y2, 3);
        }
    }

    [SkippableFact]
    public void SampleCountsEqualThePeopleAndJointsInTheFiles()
    {
        string dir = Fixtures.Require("posetrack", "frames", "posetrack18_mmpose");
        var dataset = PoseTrackVideoDataset.FromFolder(Path.Combine(dir, "annotations", "val"), dir);
        // Count straight from the JSON: labelled images, their people with at least one (x, y, v) != (0, 0, 0).
        int people = 0, joints = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(dir, "annotations", "val"), "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var labeled = doc.RootElement.GetProperty("images").EnumerateArray()
                .Where(i => i.GetProperty("is_labeled").GetBoolean()).Select(i => i.GetProperty("id").GetInt64()).ToHashSet();
            foreach (var a in doc.RootElement.GetProperty("annotations").EnumerateArray())
            {
                if (!labeled.Contains(a.GetProperty("image_id").GetInt64())) continue;
                var k = a.GetProperty("keypoints").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                int n = Enumerable.Range(0, k.Length / 3).Count(s => s != 3 && s != 4 && !(k[3 * s] == 0 && k[3 * s + 1] == 0 && k[3 * s + 2] == 0));
                if (n == 0) continue;
                people++;
                joints += n;
            }
        }
        Assert.True(people > 0);
        Assert.Equal(people, dataset.Count);
        Assert.Equal(joints, (int)dataset.Samples.Sum(s => s.Visibility.Sum()));
        Assert.Equal(3, dataset.Samples.Select(s => s.Video).Distinct().Count());
        Assert.All(dataset.Samples, s => Assert.True(File.Exists(s.FramePaths[0]), s.FramePaths[0]));
        // The merged COCO-style file gives the same samples.
        var merged = new PoseTrackVideoDataset(PoseTrackReader.ReadMergedCoco(Path.Combine(dir, "annotations", "test_posetrack18_val.json")), dir);
        Assert.Equal(dataset.Count, merged.Count);
        Assert.Equal(dataset.Samples.Sum(s => s.Joints.Sum(j => j.X)), merged.Samples.Sum(s => s.Joints.Sum(j => j.X)), 6);
    }

    [SkippableFact]
    public void DetectionBoxesGiveOneSamplePerKeptDetection()
    {
        string dir = Fixtures.Require("posetrack", "frames", "posetrack18_mmpose");
        var videos = PoseTrackReader.ReadFolder(Path.Combine(dir, "annotations", "val"));
        var boxes = DetectionBoxes.Read(Path.Combine(dir, "annotations", "test_posetrack18_human_detections.json"), 0.5);
        var dataset = PoseTrackVideoDataset.WithDetections(videos, dir, boxes);
        long[] labelledImages = videos.SelectMany(v => v.Frames).Where(f => f.IsLabeled != false).Select(f => f.ImageId!.Value).ToArray();
        Assert.Equal(labelledImages.Sum(id => boxes.ForImage(id).Count), dataset.Count);
        Assert.True(dataset.Count > 0);
        Assert.All(dataset.Samples, s => Assert.Equal(BoxSource.Detection, s.BoxSource));
        Assert.All(dataset.Samples, s => Assert.InRange(s.BoxScore, 0.5, 1.0));
        var e = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16)).Prepare(dataset[0], null);
        Assert.All(e.TargetWeight, w => Assert.Equal(0f, w));
    }
}
