using Dsa.Data;

namespace Dsa.Workflows;

/// <summary>What <see cref="VideoPredictor.Run"/> wrote.</summary>
/// <param name="Predictions">The predicted video, every frame of the folder present in file-name order.</param>
/// <param name="FormatNote">Why PoseTrack 2017 was written instead of 2018; null when 2018 was written.</param>
/// <param name="Boxes">Where the person boxes came from (for the CLI to print).</param>
/// <param name="FrameFiles">The folder's image files; frame i of <paramref name="Predictions"/> is file i.</param>
/// <param name="Detections">The kept detections by frame index, null when the boxes were the annotation's.</param>
public sealed record VideoPredictionResult(VideoAnnotation Predictions, string PredictionPath, PoseTrackFormat Format, string? FormatNote,
    int People, string Boxes, IReadOnlyList<string> FrameFiles, IReadOnlyDictionary<int, IReadOnlyList<(Box Box, double Score)>>? Detections);
