using System.Text.Json;

namespace Dsa.Data.Formats;

/// <summary>
/// Reads a JHMDB joint_positions file converted to JSON ({joint_names, frame_files, pos_img[t][j] = [x, y]})
/// into the PoseTrack model. JHMDB has its own 15-joint order; joints map to PoseTrack ids by name
/// (neck -&gt; head_bottom, the 12 limb joints by their names); belly and head (face centre) have no
/// PoseTrack counterpart and are dropped. JHMDB has no visibility flags, no boxes and no track ids
/// (one person: track 0).
/// </summary>
public static class JhmdbJointsReader
{
    public static VideoAnnotation Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"JHMDB joints file '{path}' is missing.", path);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        JsonElement Field(JsonElement e, string name, string record) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v
            : throw new InvalidDataException($"{path}: {record} has no field '{name}'.");
        var names = Field(root, "joint_names", "the root").EnumerateArray().Select(n => n.GetString() ?? "").ToArray();
        var files = Field(root, "frame_files", "the root").EnumerateArray().Select(n => n.GetString() ?? "").ToArray();
        var positions = Field(root, "pos_img", "the root");
        var ids = names.Select(n => Skeleton.PoseTrack.Joints.FirstOrDefault(j => j.Name == n || j.PoseTrackName == n)?.Id ?? -1).ToArray();
        if (positions.GetArrayLength() != files.Length)
            throw new InvalidDataException($"{path}: field 'pos_img' has {positions.GetArrayLength()} frames but 'frame_files' has {files.Length}.");
        var frames = new List<FrameAnnotation>();
        int t = 0;
        foreach (var frame in positions.EnumerateArray())
        {
            var points = new List<AnnotatedPoint>();
            int j = 0;
            foreach (var xy in frame.EnumerateArray())
            {
                if (j >= names.Length) throw new InvalidDataException($"{path}: pos_img[{t}] has more joints than joint_names ({names.Length}).");
                if (xy.GetArrayLength() != 2) throw new InvalidDataException($"{path}: pos_img[{t}][{j}] is not [x, y].");
                double x = xy[0].GetDouble(), y = xy[1].GetDouble();
                if (!double.IsFinite(x) || !double.IsFinite(y)) throw new InvalidDataException($"{path}: pos_img[{t}][{j}] ({names[j]}) is not finite.");
                if (ids[j] >= 0) points.Add(new AnnotatedPoint(ids[j], x, y, null, null));
                j++;
            }
            frames.Add(new FrameAnnotation(files[t], t, null, true, new[] { new PersonAnnotation(0, points, null, null, null) }, Array.Empty<Polygon>()));
            t++;
        }
        return new VideoAnnotation(Path.GetFileName(path), path, PoseTrackFormat.PoseTrack17, frames);
    }
}
