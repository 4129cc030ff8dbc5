namespace Dsa.Data;

/// <summary>
/// One top-down sample: one person in one key frame, with the frames of its temporal window.
/// Joints are in image pixels of the key frame, PoseTrack 2017 id order; unlabelled joints are (0, 0)
/// with visibility 0 (HRNet's joints_vis).
/// </summary>
/// <param name="Video">The annotation file name (poseval's key).</param>
/// <param name="AnnotationPath">Where the annotation was read from, for messages; null if built in memory.</param>
/// <param name="KeyFrame">The key frame's FrameIndex.</param>
/// <param name="FrameIndices">FrameIndex of the key frame then each supporting frame (after the boundary policy).</param>
/// <param name="FramePaths">Image files in the same order as <paramref name="FrameIndices"/>.</param>
/// <param name="Person">Index of the person in the key frame's People (or in the frame's detections).</param>
/// <param name="BoxScore">Detection score; 1 for annotated boxes.</param>
public sealed record VideoSample(
    string Video,
    string? AnnotationPath,
    int KeyFrame,
    IReadOnlyList<int> FrameIndices,
    IReadOnlyList<string> FramePaths,
    int Person,
    int? TrackId,
    Box Box,
    BoxSource BoxSource,
    double BoxScore,
    IReadOnlyList<(double X, double Y)> Joints,
    IReadOnlyList<float> Visibility)
{
    /// <summary>"video X (file F), frame k, person p": what an error message needs to find the record.</summary>
    public string Describe() =>
        $"video '{Video}'{(AnnotationPath is null ? "" : $" ({AnnotationPath})")}, frame {KeyFrame}, person {Person}" +
        (TrackId is { } t ? $" (track {t})" : "");
}
