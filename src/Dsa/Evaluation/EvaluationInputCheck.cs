using System.Globalization;
using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>
/// What poseval evaluates without a word and is then silently wrong: it pairs GT and prediction frames
/// by position only (rule 1), so predictions written in another frame order score as if they were
/// bad poses; it drops annotations of unknown images and double-books a repeated image id; and it
/// scores a coordinate of 1e308 as a plain miss. <see cref="PosetrackAp"/> keeps poseval's numbers;
/// this check says what such numbers rest on. Each finding names the file and the frame or record.
/// </summary>
public static class EvaluationInputCheck
{
    /// <summary>Farther from the image origin than any video frame (PoseTrack's are 1920 wide) by two orders of magnitude.</summary>
    public const double AbsurdCoordinate = 1e5;

    /// <summary>The findings for GT videos and the prediction videos of the same names (as <see cref="PosetrackAp.Evaluate"/> pairs them).</summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions)
    {
        var findings = new List<string>();
        var byName = predictions.GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var gt in groundTruth)
        {
            findings.AddRange(gt.ReadWarnings);
            findings.AddRange(Coordinates(gt, "GT"));
            if (!byName.TryGetValue(gt.Name, out var pred)) continue;
            findings.AddRange(pred.ReadWarnings);
            findings.AddRange(Coordinates(pred, "prediction"));
            if (Pairing(gt, pred) is { } pairing) findings.Add(pairing);
        }
        return findings.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Frames paired by position whose image names or ids differ, summarised per video.</summary>
    private static string? Pairing(VideoAnnotation gt, VideoAnnotation pred)
    {
        int n = Math.Min(gt.Frames.Count, pred.Frames.Count), differ = 0, first = -1;
        for (int f = 0; f < n; f++)
        {
            var (a, b) = (gt.Frames[f], pred.Frames[f]);
            bool idsDiffer = a.ImageId is long ia && b.ImageId is long ib && ia != ib;
            if (!idsDiffer && SameImage(a.ImagePath, b.ImagePath)) continue;
            differ++;
            if (first < 0) first = f;
        }
        if (differ == 0) return null;
        var (g, p) = (gt.Frames[first], pred.Frames[first]);
        return string.Create(CultureInfo.InvariantCulture,
            $"{pred.SourcePath ?? pred.Name}: {differ} of {n} frames do not show the GT's image at the same position (frames are paired by position, as poseval does), " +
            $"e.g. frame {first}: GT '{g.ImagePath}' (id {g.ImageId?.ToString(CultureInfo.InvariantCulture) ?? "-"}), prediction '{p.ImagePath}' (id {p.ImageId?.ToString(CultureInfo.InvariantCulture) ?? "-"})");
    }

    // Prediction files may name images relative to another root; the frame's own file name must agree.
    private static bool SameImage(string a, string b) =>
        a == b || (Path.GetFileName(a.Replace('\\', '/')) == Path.GetFileName(b.Replace('\\', '/'))
                   && Path.GetFileName(Path.GetDirectoryName(a.Replace('\\', '/'))) == Path.GetFileName(Path.GetDirectoryName(b.Replace('\\', '/'))));

    private static IEnumerable<string> Coordinates(VideoAnnotation video, string role)
    {
        int count = 0;
        string? example = null;
        foreach (var frame in video.Frames)
            for (int p = 0; p < frame.People.Count; p++)
                foreach (var point in frame.People[p].Points ?? [])
                {
                    if (double.IsFinite(point.X) && double.IsFinite(point.Y) && Math.Abs(point.X) <= AbsurdCoordinate && Math.Abs(point.Y) <= AbsurdCoordinate) continue;
                    count++;
                    example ??= string.Create(CultureInfo.InvariantCulture, $"frame {frame.FrameIndex} ({frame.ImagePath}), person {p}, point id {point.Id} at ({point.X}, {point.Y})");
                }
        if (count > 0)
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{video.SourcePath ?? video.Name}: {count} {role} point(s) lie outside +-{AbsurdCoordinate:0} pixels or are not finite, e.g. {example}; they can never match and are scored as misses");
    }
}
