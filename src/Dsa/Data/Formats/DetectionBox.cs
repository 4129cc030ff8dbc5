namespace Dsa.Data.Formats;

/// <summary>One detected person box of a COCO results file.</summary>
/// <param name="ImageId">The image id (PoseTrack 2018 image id / frame_id).</param>
/// <param name="Box">The box in pixels (from COCO [x, y, w, h]).</param>
/// <param name="Score">The detector's confidence.</param>
public sealed record DetectionBox(long ImageId, Box Box, double Score);
