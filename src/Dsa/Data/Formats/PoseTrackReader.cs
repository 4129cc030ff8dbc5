using System.Collections.Concurrent;

namespace Dsa.Data.Formats;

/// <summary>
/// Reads PoseTrack annotation and prediction files into the shared raw model
/// (<see cref="VideoAnnotation"/>): per-video PoseTrack 2017 (<c>annolist</c>) and 2018
/// (<c>images</c> / <c>annotations</c> / <c>categories</c>) files, detected per file, and the merged
/// COCO-style files of DCPose / PoseWarper (one file, many videos).
/// Nothing is cleaned up here: poseval's rules (first point per id, ids outside 0..14, missing
/// scores) are applied by the evaluator, so the model keeps what the file says.
/// Every malformed input raises <see cref="InvalidDataException"/> naming file, record and field.
/// </summary>
/// <remarks>Each file is read once into memory and parsed by <see cref="PoseTrackStreamReader"/> (one pass, no
/// document tree); a file it does not take, malformed or merely unusual, is parsed again by
/// <see cref="PoseTrackDocumentReader"/>, which builds the same model or names the problem.</remarks>
public static class PoseTrackReader
{
    /// <summary>Reads one per-video file, PoseTrack 2017 or 2018 (detected from its keys).</summary>
    /// <remarks>For a 2018 file, poseval's <c>Video.from_new</c> groups images by the number before
    /// the first '_' of their folder and evaluates only the first group; the same is done here
    /// (use <see cref="ReadMergedCoco"/> for files holding several videos on purpose).</remarks>
    public static VideoAnnotation ReadVideo(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return PoseTrackStreamReader.TryReadVideo(bytes, path) ?? PoseTrackDocumentReader.ReadVideo(bytes, path);
    }

    /// <summary>Every *.json of a folder, sorted by file name (ordinal).</summary>
    public static IReadOnlyList<VideoAnnotation> ReadFolder(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: folder does not exist");
        return ReadVideos(Directory.GetFiles(dir, "*.json").OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// Per-video files, read side by side (they are independent: on two cores shared with a training run, reading the
    /// 20 Bonn videos' GT and predictions took 129 ms instead of 174, medians of 12), returned in the order given.
    /// Where files are malformed, the exception is the one reading them one after the other would have raised: that of
    /// the first bad file in the list.
    /// </summary>
    public static IReadOnlyList<VideoAnnotation> ReadVideos(IReadOnlyList<string> paths)
    {
        var videos = new VideoAnnotation[paths.Count];
        var failures = new Exception?[paths.Count];
        // Largest files first, each to the next free thread, so that no thread is still reading a big file at the end
        // while the others wait.
        var largestFirst = Enumerable.Range(0, paths.Count).OrderByDescending(i => SizeOf(paths[i])).ToList();
        Parallel.ForEach(Partitioner.Create(largestFirst, EnumerablePartitionerOptions.NoBuffering), i =>
        {
            try { videos[i] = ReadVideo(paths[i]); }
            catch (Exception e) { failures[i] = e; }
        });
        if (failures.FirstOrDefault(e => e is not null) is { } first)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        return videos;
    }

    private static long SizeOf(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }

    /// <summary>
    /// A merged COCO-style file (DCPose / PoseWarper posetrack_train.json / posetrack_val.json,
    /// mmpose test_posetrack18_val.json): images of many videos. Videos are grouped by the folder of
    /// <c>file_name</c>, in order of first appearance, and named "&lt;folder&gt;.json" (the name of the
    /// per-video annotation file); frames within a video are ordered by <c>frame_id</c> (file order
    /// where it is absent), <see cref="FrameAnnotation.FrameIndex"/> is the position in that order.
    /// </summary>
    public static IReadOnlyList<VideoAnnotation> ReadMergedCoco(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var coco = PoseTrackStreamReader.TryReadCoco(bytes) ?? PoseTrackDocumentReader.ReadCoco(bytes, path);
        return coco.Videos(path);
    }
}
