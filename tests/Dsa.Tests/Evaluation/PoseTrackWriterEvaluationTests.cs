using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Evaluation;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Evaluation;

/// <summary>Predictions written by our writers evaluate exactly as the same predictions in memory.</summary>
public class PoseTrackWriterEvaluationTests
{
    public static IEnumerable<object[]> Cases() => PosevalCases.Names();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Written_predictions_evaluate_like_the_in_memory_ones(string caseName)
    {
        string folder = PosevalCases.Folder(caseName);
        var (gt, _) = PosevalCases.Load(caseName);
        var predictions = PosetrackApPropertyTests.GtAsPredictions(gt, (pt, k) => pt with
        {
            X = pt.X + ((k * 37) % 23 - 11) * 2.0,
            Y = pt.Y + ((k * 53) % 19 - 9) * 2.0,
            Score = k % 11 == 0 ? null : pt.Score, // some unscored points: -9999 in both formats
        });
        var direct = PosetrackAp.Evaluate(gt, predictions);

        // PoseTrack 2018 needs poseval's <number>_<mpii|bonn|mpiinew> folders; the Bonn PT17 GT has plain numbers.
        bool pt18Names = gt.All(v => v.Frames.All(f => System.Text.RegularExpressions.Regex.IsMatch(
            Path.GetFileName(Path.GetDirectoryName(f.ImagePath)) ?? "", "^[0-9]+_(mpii|bonn|mpiinew)")));
        var formats = pt18Names ? new[] { PoseTrackFormat.PoseTrack17, PoseTrackFormat.PoseTrack18 } : new[] { PoseTrackFormat.PoseTrack17 };
        foreach (var format in formats)
        {
            using var dir = new TempDir();
            foreach (var video in predictions) PoseTrackWriter.Write(video, Path.Combine(dir.Path, video.Name), format);
            var readBack = PoseTrackReader.ReadFolder(dir.Path);
            Assert.All(readBack, v => Assert.Equal(format, v.Format));
            for (int v = 0; v < predictions.Count; v++)
                for (int f = 0; f < predictions[v].Frames.Count; f++)
                    for (int p = 0; p < predictions[v].Frames[f].People.Count; p++)
                    {
                        var a = predictions[v].Frames[f].People[p].JointArray();
                        var b = readBack[v].Frames[f].People[p].JointArray();
                        for (int j = 0; j < 15; j++)
                        {
                            Assert.Equal(a[j] is null, b[j] is null);
                            if (a[j] is null) continue;
                            Assert.Equal((a[j]!.X, a[j]!.Y), (b[j]!.X, b[j]!.Y));
                        }
                    }
            var fromFiles = PosetrackAp.EvaluateFolders(Path.Combine(folder, "gt"), dir.Path);
            PosetrackApPropertyTests.AssertSame(direct, fromFiles);
            Assert.Equal(direct.UnscoredPredictedJoints, fromFiles.UnscoredPredictedJoints);
        }
    }
}
