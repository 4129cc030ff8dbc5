using Dsa.Data;
using Dsa.Data.Formats;

namespace Dsa.Workflows;

/// <summary>
/// A PoseTrack-layout dataset on disk: per-video annotation files in annotations/{train,val}/*.json
/// (PoseTrack 2017 or 2018 format) and frames under the same root (images/...), as PoseTrack 2018,
/// the Badminton set and `dsa synth` are laid out.
/// </summary>
public sealed record DatasetFolder(string Root)
{
    public string AnnotationsDir(string split) => Path.Combine(Root, "annotations", split);

    /// <summary>Reads every video of a split; a clear error when the folder is missing or empty.</summary>
    public IReadOnlyList<VideoAnnotation> Read(string split)
    {
        var dir = AnnotationsDir(split);
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Dataset {Root}: no '{split}' annotations folder {dir} (expected annotations/{{train,val}}/*.json; `dsa synth` writes such a folder).");
        var videos = PoseTrackReader.ReadFolder(dir);
        if (videos.Count == 0) throw new InvalidDataException($"Dataset {Root}: {dir} holds no *.json annotation file.");
        return videos;
    }
}
