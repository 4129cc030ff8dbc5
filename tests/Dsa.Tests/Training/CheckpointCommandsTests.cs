using System.Text.Json;
using System.Text.Json.Nodes;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Evaluation;
using Dsa.Tests.Evaluation;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Training;

/// <summary>`dsa eval --checkpoint` and `dsa predict`, run in-process through the CLI's entry point on a freshly trained tiny model.</summary>
[Collection(nameof(ConsoleCollection))]
public class CheckpointCommandsTests : IClassFixture<TrainedTinyCheckpoint>
{
    private readonly TrainedTinyCheckpoint trained;

    public CheckpointCommandsTests(TrainedTinyCheckpoint trained) => this.trained = trained;

    private static (int Exit, string Error) RunDsa(params string[] args) => DsaCli.Run(args);

    [Fact]
    public void EvalOfACheckpointReproducesTheRunsValidationAndWritesPoseTrackFiles()
    {
        using var dir = new TempDir();
        string json = Path.Combine(dir.Path, "ap.json"), predOut = Path.Combine(dir.Path, "pred");
        var (exit, error) = RunDsa("eval", "--checkpoint", trained.Checkpoint, "--data", trained.Set.Root, "--json", json, "--pred-out", predOut, "--batch-size", "3");
        Assert.True(exit == 0, $"exit {exit}: {error}");
        var total = (double)JsonNode.Parse(File.ReadAllText(json))!["total"]!;
        // The last checkpoint is the model the run ended with, so the run's own validation number comes back.
        Assert.Equal(trained.Run.Validation.Total, total, 6);
        var val = trained.Set.Data.Read("val");
        var predictions = PoseTrackReader.ReadFolder(predOut);
        Assert.Equal(val.Select(v => v.Name), predictions.Select(v => v.Name));
        Assert.All(predictions, p => Assert.Equal(PoseTrackFormat.PoseTrack18, p.Format));
        Assert.Equal(total, PosetrackAp.Evaluate(val, predictions).Total, 6);
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("eval --gt a --pred b --checkpoint c --data d")]
    [InlineData("eval --checkpoint c")]
    public void EvalNeedsExactlyOneCompleteForm(string commandLine)
    {
        var (exit, error) = RunDsa(commandLine.Split(' '));
        Assert.Equal(2, exit);
        Assert.Contains("--checkpoint", error);
    }

    [Fact]
    public void PredictWithGroundTruthBoxesWritesEveryFrameAndOverlays()
    {
        using var dir = new TempDir();
        var (annotation, frames) = trained.ValVideo();
        var (exit, error) = RunDsa("predict", "--checkpoint", trained.Checkpoint, "--frames", frames, "--annotations", annotation, "--out", dir.Path);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        var gt = PoseTrackReader.ReadVideo(annotation);
        var predicted = PoseTrackReader.ReadVideo(Path.Combine(dir.Path, Path.GetFileName(annotation)));
        Assert.Equal(PoseTrackFormat.PoseTrack18, predicted.Format);
        Assert.Equal(gt.Frames.Select(f => f.ImagePath), predicted.Frames.Select(f => f.ImagePath));
        Assert.Equal(gt.Frames.Select(f => f.People.Count), predicted.Frames.Select(f => f.People.Count));
        Assert.Equal(Directory.GetFiles(frames, "*.jpg").Length, Directory.GetFiles(Path.Combine(dir.Path, "overlays"), "*.png").Length);
        // Same model, same boxes: the file evaluates like the validation the run did on this video.
        Assert.Equal(trained.Run.Validation.Total, PosetrackAp.Evaluate(new[] { gt }, new[] { predicted }).Total, 6);
    }

    [Fact]
    public void PredictWithDetectionsMatchesImageIdsOrFrameIndicesAndFallsBackToPoseTrack2017()
    {
        using var dir = new TempDir();
        var (annotation, frames) = trained.ValVideo();
        var gt = PoseTrackReader.ReadVideo(annotation);
        // Detections from the GT boxes, one below the threshold that must be dropped.
        JsonArray Detections(Func<FrameAnnotation, long> imageId) => new(gt.Frames.SelectMany(f => f.People.Select(p => (JsonNode)new JsonObject
        {
            ["image_id"] = imageId(f), ["category_id"] = 1, ["score"] = p.TrackId == 0 ? 0.9 : 0.2,
            ["bbox"] = new JsonArray(p.PersonBox!.Value.X1, p.PersonBox.Value.Y1, p.PersonBox.Value.Width, p.PersonBox.Value.Height),
        })).ToArray());

        string byId = Path.Combine(dir.Path, "by-id.json");
        File.WriteAllText(byId, Detections(f => f.ImageId!.Value).ToJsonString());
        var (exit, error) = RunDsa("predict", "--checkpoint", trained.Checkpoint, "--frames", frames, "--annotations", annotation, "--boxes", byId,
            "--out", Path.Combine(dir.Path, "a"), "--no-overlays");
        Assert.True(exit == 0, $"exit {exit}: {error}");
        var a = PoseTrackReader.ReadVideo(Path.Combine(dir.Path, "a", Path.GetFileName(annotation)));
        Assert.Equal(gt.Frames.Count, a.Frames.Count);
        Assert.All(a.Frames, f => Assert.Single(f.People));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "a", "overlays")));

        // A folder poseval's 2018 naming cannot parse, no annotation file: image_id is the frame index, PoseTrack 2017 is written.
        string clip = Path.Combine(dir.Path, "clip");
        Directory.CreateDirectory(clip);
        foreach (var f in Directory.GetFiles(frames)) File.Copy(f, Path.Combine(clip, Path.GetFileName(f)));
        string byIndex = Path.Combine(dir.Path, "by-index.json");
        File.WriteAllText(byIndex, Detections(f => f.FrameIndex).ToJsonString());
        (exit, error) = RunDsa("predict", "--checkpoint", trained.Checkpoint, "--frames", clip, "--boxes", byIndex, "--out", Path.Combine(dir.Path, "b"));
        Assert.True(exit == 0, $"exit {exit}: {error}");
        var b = PoseTrackReader.ReadVideo(Path.Combine(dir.Path, "b", "clip.json"));
        Assert.Equal(PoseTrackFormat.PoseTrack17, b.Format);
        Assert.Equal(gt.Frames.Count, b.Frames.Count);
        // Same boxes, same model: the same joints whichever way the detections were matched.
        for (int f = 0; f < gt.Frames.Count; f++)
            Assert.Equal(a.Frames[f].People[0].JointArray().Select(p => (p!.X, p.Y)), b.Frames[f].People[0].JointArray().Select(p => (p!.X, p.Y)));
        Assert.Equal(gt.Frames.Count, Directory.GetFiles(Path.Combine(dir.Path, "b", "overlays"), "*.png").Length);
    }

    [Fact]
    public void PredictRejectsBadInputsNamingTheFile()
    {
        using var dir = new TempDir();
        var (annotation, frames) = trained.ValVideo();
        string missing = Path.Combine(dir.Path, "no-such-frames");
        var (exit, error) = RunDsa("predict", "--checkpoint", trained.Checkpoint, "--frames", missing, "--annotations", annotation, "--out", dir.Path);
        Assert.Equal(1, exit);
        Assert.Contains(missing, error);

        (exit, error) = RunDsa("predict", "--checkpoint", trained.Checkpoint, "--frames", frames, "--out", dir.Path);
        Assert.Equal(2, exit);
        Assert.Contains("--boxes", error);

        string unknown = Path.Combine(dir.Path, "unknown-ids.json");
        File.WriteAllText(unknown, """[{"image_id": 999, "bbox": [1, 1, 20, 40], "score": 0.9}]""");
        (exit, error) = RunDsa("predict", "--checkpoint", trained.Checkpoint, "--frames", frames, "--boxes", unknown, "--out", dir.Path);
        Assert.Equal(1, exit);
        Assert.Contains(unknown, error);
        Assert.Contains("999", error);
        Assert.Contains("image_id", error);
    }
}
