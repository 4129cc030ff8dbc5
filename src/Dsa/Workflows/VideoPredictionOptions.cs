namespace Dsa.Workflows;

/// <summary>What <see cref="VideoPredictor"/> predicts: one video's frames, a checkpoint and a source of person boxes.</summary>
public sealed record VideoPredictionOptions
{
    /// <summary>A checkpoint written by training (the model config is inside).</summary>
    public required string Checkpoint { get; init; }

    /// <summary>One video's frames: the image files (*.jpg, *.jpeg, *.png) in ordinal file-name order are frames 0..N-1.</summary>
    public required string FramesDir { get; init; }

    /// <summary>Where the prediction file and overlays/ go.</summary>
    public required string OutDir { get; init; }

    /// <summary>
    /// Person detections in the COCO results format. Their image_id is matched to the image ids of
    /// <see cref="AnnotationsPath"/> when it is given (PoseTrack 2018 ids), otherwise to the 0-based
    /// frame index in sorted file-name order. Null: the annotation file's ground-truth boxes.
    /// </summary>
    public string? DetectionsPath { get; init; }

    /// <summary>Detections below this score are dropped.</summary>
    public double ScoreThreshold { get; init; } = 0.5;

    /// <summary>The video's PoseTrack annotation file (2017 or 2018); its frames are matched to the folder's files by file name.</summary>
    public string? AnnotationsPath { get; init; }

    public int BatchSize { get; init; } = 8;
    public string Device { get; init; } = "cpu";
}
