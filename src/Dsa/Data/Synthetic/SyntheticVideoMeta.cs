using System.Text.Json;
using Dsa.Data.Formats;

namespace Dsa.Data.Synthetic;

/// <summary>
/// The meta file <see cref="SyntheticVideoGenerator"/> writes beside each video's annotation,
/// meta/{split}/&lt;video&gt;.json:
/// <c>{"video": "500001_mpii_val.json", "exposure_unit": "...", "frames": [{"frame": 0, "exposure": 0,
/// "people": [{"track_id": 1, "occluded_joints": [3, 4]}]}]}</c>.
/// "frame" is the position in the video, "exposure" is in frame intervals (0 = sharp), "occluded_joints"
/// are PoseTrack 2017 joint ids of that person's annotated but covered joints. Real data sets have no such file.
/// </summary>
/// <param name="Video">The annotation file name it describes (<see cref="VideoAnnotation.Name"/>).</param>
/// <param name="SourcePath">Where it was read from, for error messages; null if built in memory.</param>
/// <param name="Frames">By frame position; every position 0..n-1 appears once.</param>
public sealed record SyntheticVideoMeta(string Video, string? SourcePath, IReadOnlyList<SyntheticFrameMeta> Frames)
{
    /// <summary>The meta folder of a split of a synthetic data set (DATA/meta/{split}).</summary>
    public static string Folder(string dataRoot, string split) => Path.Combine(dataRoot, "meta", split);

    /// <summary>Reads every *.json of <paramref name="dir"/>, keyed by the video name each one states.</summary>
    public static IReadOnlyDictionary<string, SyntheticVideoMeta> ReadFolder(string dir)
    {
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"{dir}: no meta folder (only `dsa synth` data sets have meta/{{train,val}}/*.json)");
        var result = new Dictionary<string, SyntheticVideoMeta>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            var meta = Read(path);
            if (!result.TryAdd(meta.Video, meta))
                throw new InvalidDataException($"{path}: field 'video' is '{meta.Video}', which {result[meta.Video].SourcePath} also describes");
        }
        if (result.Count == 0) throw new InvalidDataException($"{dir}: meta folder holds no *.json file");
        return result;
    }

    public static SyntheticVideoMeta Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: meta file does not exist", path);
        using var doc = PoseTrackJson.Parse(path);
        var json = new PoseTrackJson(path);
        var root = json.RequireObject(doc.RootElement, "root");
        string video = json.RequireString(root, "root", "video");
        var framesArray = json.RequireArray(root, "root", "frames");
        var frames = new SyntheticFrameMeta?[framesArray.GetArrayLength()];
        int i = 0;
        foreach (var element in framesArray.EnumerateArray())
        {
            string record = $"frames[{i}]";
            var frame = json.RequireObject(element, record);
            int position = json.ToInt(json.RequireInteger(frame, record, "frame"), record, "frame");
            if (position < 0 || position >= frames.Length)
                throw json.Error(record, "frame", $"is {position}, outside 0..{frames.Length - 1} (frames are numbered by position)");
            if (frames[position] is not null) throw json.Error(record, "frame", $"is {position}, which an earlier frame already has");
            double exposure = json.RequireNumber(frame, record, "exposure");
            if (exposure < 0) throw json.Error(record, "exposure", $"must be >= 0 (frame intervals), got {exposure}");
            var occluded = new Dictionary<int, IReadOnlySet<int>>();
            int p = 0;
            foreach (var personElement in json.RequireArray(frame, record, "people").EnumerateArray())
            {
                string personRecord = $"{record}.people[{p}]";
                var person = json.RequireObject(personElement, personRecord);
                int track = json.ToInt(json.RequireInteger(person, personRecord, "track_id"), personRecord, "track_id");
                var joints = new HashSet<int>();
                int k = 0;
                foreach (var joint in json.RequireArray(person, personRecord, "occluded_joints").EnumerateArray())
                {
                    string field = $"occluded_joints[{k++}]";
                    long id = json.Integer(joint, personRecord, field);
                    if (id < 0 || id >= Skeleton.PoseTrack.Count)
                        throw json.Error(personRecord, field, $"is {id}, not a PoseTrack joint id 0..{Skeleton.PoseTrack.Count - 1}");
                    joints.Add((int)id);
                }
                if (!occluded.TryAdd(track, joints)) throw json.Error(personRecord, "track_id", $"is {track}, which another person of the frame has");
                p++;
            }
            frames[position] = new SyntheticFrameMeta(position, exposure, occluded);
            i++;
        }
        return new SyntheticVideoMeta(video, path, frames.Select(f => f!).ToArray());
    }
}
