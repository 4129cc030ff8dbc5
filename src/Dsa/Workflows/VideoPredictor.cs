using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.Inference;
using Dsa.Training;
using TorchSharp;

namespace Dsa.Workflows;

/// <summary>
/// Predicts poses in one video given as a folder of frames (what `dsa predict` does): person boxes from
/// a detector's COCO results file or from the video's annotation file, the checkpoint's model with its
/// supporting window over the folder's frames, and a per-video PoseTrack file poseval accepts (every
/// frame present; PoseTrack 2018, or 2017 when the frame names do not follow poseval's 2018 naming)
/// (Reports.PredictionOverlays draws the result over the frames).
/// </summary>
public static class VideoPredictor
{
    private static readonly string[] ImageExtensions = { ".jpg", ".jpeg", ".png" };

    public static VideoPredictionResult Run(VideoPredictionOptions options, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellation = default)
    {
        if (options.DetectionsPath is null && options.AnnotationsPath is null)
            throw new ArgumentException("No source of person boxes: give a detections file (COCO results) or the video's annotation file (its ground-truth boxes).");
        var files = FrameFiles(options.FramesDir);
        var annotation = options.AnnotationsPath is null ? null : PoseTrackReader.ReadVideo(options.AnnotationsPath);
        var video = FolderVideo(options.FramesDir, files, annotation, options.AnnotationsPath);

        var (model, state) = Checkpoint.LoadModel(options.Checkpoint);
        using (model)
        {
            model.to(TorchRuntime.ResolveDevice(options.Device));
            var datasetOptions = new PoseTrackDatasetOptions { Window = new SupportingWindow(state.Model.SupportOffsets), LabeledFramesOnly = false };
            Dictionary<int, IReadOnlyList<(Box Box, double Score)>>? detections = null;
            PoseTrackVideoDataset dataset;
            string boxes;
            if (options.DetectionsPath is { } detectionsPath)
            {
                detections = DetectionsByFrame(detectionsPath, options.ScoreThreshold, video, annotation is not null, options);
                dataset = new PoseTrackVideoDataset(new[] { video }, options.FramesDir,
                    (_, frame) => detections.TryGetValue(frame.FrameIndex, out var d) ? d : Array.Empty<(Box, double)>(), datasetOptions);
                boxes = $"{detections.Values.Sum(d => d.Count)} detections (score >= {options.ScoreThreshold}) from {detectionsPath}";
            }
            else
            {
                dataset = new PoseTrackVideoDataset(new[] { video }, options.FramesDir, datasetOptions);
                boxes = $"ground-truth boxes of {options.AnnotationsPath}";
            }

            var samples = PosePredictor.PredictSamples(model, dataset, Experiment.Pipeline(state.Model), Math.Max(1, options.BatchSize), progress, cancellation);
            var predicted = PosePredictor.ToVideos(new[] { video }, samples)[0];

            var (predictionPath, format) = CheckpointEvaluation.WritePredictions(new[] { predicted }, options.OutDir)[0];
            string? problem = PoseTrackWriter.PoseTrack18NamingProblem(predicted);
            string? note = problem is null ? null
                : $"wrote PoseTrack 2017: poseval reads PoseTrack 2018 image ids from <number>_<mpii|bonn|mpiinew>/<frame number> names, and {problem}.";

            return new VideoPredictionResult(predicted, predictionPath, format, note, samples.Count, boxes, files, detections);
        }
    }

    /// <summary>The image files of a frame folder in ordinal file-name order (frame i = the i-th file).</summary>
    public static IReadOnlyList<string> FrameFiles(string framesDir)
    {
        if (!Directory.Exists(framesDir)) throw new DirectoryNotFoundException($"Frame folder {framesDir} does not exist.");
        var files = Directory.GetFiles(framesDir)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0) throw new InvalidDataException($"Frame folder {framesDir} holds no image file ({string.Join(", ", ImageExtensions)}).");
        return files;
    }

    /// <summary>
    /// The folder as a video: frame i is the i-th file; where the annotation file has a frame with the same
    /// file name, its image name, image id, labelled flag and people are kept (so the predictions pair with
    /// that GT file in poseval). An annotated frame missing from the folder is an error.
    /// </summary>
    private static VideoAnnotation FolderVideo(string framesDir, IReadOnlyList<string> files, VideoAnnotation? annotation, string? annotationPath)
    {
        string folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(framesDir)));
        var byName = new Dictionary<string, FrameAnnotation>(StringComparer.Ordinal);
        if (annotation is not null)
        {
            var present = files.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
            foreach (var frame in annotation.Frames)
            {
                string name = Path.GetFileName(frame.ImagePath.Replace('\\', '/'));
                if (!present.Contains(name))
                    throw new InvalidDataException($"{annotationPath}: frame {frame.FrameIndex} ('{frame.ImagePath}', field 'file_name'/'image.name') " +
                        $"has no image '{name}' in the frame folder {framesDir}.");
                byName.TryAdd(name, frame);
            }
        }
        var frames = files.Select((file, i) => byName.TryGetValue(Path.GetFileName(file), out var gt)
            ? gt with { FrameIndex = i }
            : new FrameAnnotation($"{folder}/{Path.GetFileName(file)}", i, null, annotation is null,
                Array.Empty<PersonAnnotation>(), Array.Empty<Polygon>())).ToList();
        return new VideoAnnotation(annotation?.Name ?? folder + ".json", annotation?.SourcePath, annotation?.Format ?? PoseTrackFormat.PoseTrack18, frames,
            annotation?.KeypointNames);
    }

    /// <summary>Each frame's kept detections; image ids are the annotation's (when given) or the frame index. Unknown ids are an error.</summary>
    private static Dictionary<int, IReadOnlyList<(Box Box, double Score)>> DetectionsByFrame(string path, double threshold, VideoAnnotation video,
        bool byImageId, VideoPredictionOptions options)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Detections file {path} does not exist.", path);
        var detections = DetectionBoxes.Read(path, threshold);
        var frameOfId = new Dictionary<long, int>();
        foreach (var frame in video.Frames)
        {
            if (!byImageId) frameOfId[frame.FrameIndex] = frame.FrameIndex;
            else if (frame.ImageId is long id) frameOfId[id] = frame.FrameIndex;
        }
        if (byImageId && frameOfId.Count == 0)
            throw new InvalidDataException($"{options.AnnotationsPath}: has no image ids to match the detections of {path} by (PoseTrack 2017 files have none; " +
                "leave out the annotation file to match image_id to the 0-based frame index).");
        var unknown = detections.ImageIds.Where(id => !frameOfId.ContainsKey(id)).OrderBy(id => id).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{path}: field 'image_id' {string.Join(", ", unknown.Take(5))}{(unknown.Count > 5 ? $" (and {unknown.Count - 5} more)" : "")} " +
                (byImageId ? $"matches no image id of {options.AnnotationsPath} in the frame folder {options.FramesDir}."
                           : $"matches no frame index 0..{video.Frames.Count - 1} of {options.FramesDir} (without an annotation file image_id is the 0-based frame index in sorted file-name order)."));
        return frameOfId.ToDictionary(kv => kv.Value,
            kv => (IReadOnlyList<(Box Box, double Score)>)detections.ForImage(kv.Key).Select(d => (d.Box, d.Score)).ToList());
    }
}
