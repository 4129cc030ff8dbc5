using System.Text.Json;

namespace Dsa.Data.Formats;

/// <summary>
/// Person detections in the COCO results format ([{image_id, bbox: [x, y, w, h], score,
/// category_id}], e.g. the human-detection files DCPose / mmpose ship for PoseTrack), grouped by
/// image id; only the person category (1, or no category given) at or above a score threshold.
/// </summary>
public sealed class DetectionBoxes
{
    private static readonly IReadOnlyList<DetectionBox> None = Array.Empty<DetectionBox>();
    private readonly Dictionary<long, List<DetectionBox>> _byImage;

    private DetectionBoxes(Dictionary<long, List<DetectionBox>> byImage, int count)
    {
        _byImage = byImage;
        Count = count;
    }

    /// <summary>Number of boxes kept.</summary>
    public int Count { get; }

    /// <summary>Image ids that have at least one kept box.</summary>
    public IEnumerable<long> ImageIds => _byImage.Keys;

    /// <summary>The boxes of one image in file order (empty when none).</summary>
    public IReadOnlyList<DetectionBox> ForImage(long imageId) => _byImage.TryGetValue(imageId, out var l) ? l : None;

    public static DetectionBoxes Read(string path, double scoreThreshold)
    {
        using var doc = PoseTrackJson.Parse(path);
        var json = new PoseTrackJson(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            throw json.Error("root", $"must be an array of detections, got {doc.RootElement.ValueKind}");
        var byImage = new Dictionary<long, List<DetectionBox>>();
        int i = 0, kept = 0;
        foreach (var det in doc.RootElement.EnumerateArray())
        {
            string record = $"[{i++}]";
            json.RequireObject(det, record);
            long imageId = json.RequireInteger(det, record, "image_id");
            double score = json.RequireNumber(det, record, "score");
            Box box = json.OptionalXywhBox(det, record, "bbox") ?? throw json.Error(record, "bbox", "is missing");
            long category = json.OptionalInteger(det, record, "category_id") ?? 1;
            if (category != 1 || score < scoreThreshold) continue;
            if (!byImage.TryGetValue(imageId, out var list)) byImage[imageId] = list = new List<DetectionBox>();
            list.Add(new DetectionBox(imageId, box, score));
            kept++;
        }
        return new DetectionBoxes(byImage, kept);
    }
}
