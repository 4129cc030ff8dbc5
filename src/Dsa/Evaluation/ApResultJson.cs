using System.Text.Json;
using Dsa.Data;
using Dsa.IO;

namespace Dsa.Evaluation;

/// <summary>
/// The JSON form of an <see cref="ApResult"/> (the schema of the poseval fixtures' expected.json and
/// of <c>dsa eval --json</c>): per_joint (the 15 workbench joint names in PoseTrack 2017 id order),
/// columns (Head ... Ankle), total, in percent and full double precision, NaN as null; then
/// precision/recall, counts and the per-video breakdown as extra keys.
/// </summary>
public static class ApResultJson
{
    public static string Serialize(ApResult result)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteMetrics(w, result);
            w.WriteStartObject("counts");
            w.WriteNumber("frames_evaluated", result.FramesEvaluated);
            WriteCounts(w, "gt_joints", result.GtJoints);
            WriteCounts(w, "pred_joints", result.PredictedJoints);
            WriteCounts(w, "true_positives", result.TruePositives);
            WriteCounts(w, "unscored_pred_joints", result.UnscoredPredictedJoints);
            WriteCounts(w, "unscored_true_positives", result.UnscoredTruePositives);
            w.WriteEndObject();
            w.WriteStartObject("per_video");
            foreach (var (name, video) in result.PerVideo)
            {
                w.WriteStartObject(name);
                WriteMetrics(w, video);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    public static void Write(ApResult result, string path) => AtomicFile.WriteAllText(path, Serialize(result));

    private static void WriteMetrics(Utf8JsonWriter w, ApResult r)
    {
        WriteJoints(w, "per_joint", r.PerJoint);
        w.WriteStartObject("columns");
        foreach (string c in Skeleton.ReportColumns) WriteValue(w, c, r.Columns[c]);
        w.WriteEndObject();
        WriteValue(w, "total", r.Total);
        WriteJoints(w, "per_joint_precision", r.Precision);
        WriteJoints(w, "per_joint_recall", r.Recall);
        WriteValue(w, "total_precision", r.TotalPrecision);
        WriteValue(w, "total_recall", r.TotalRecall);
    }

    private static void WriteJoints(Utf8JsonWriter w, string key, IReadOnlyList<double> values)
    {
        w.WriteStartObject(key);
        foreach (var joint in Skeleton.PoseTrack.Joints) WriteValue(w, joint.Name, values[joint.Id]);
        w.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter w, string key, IReadOnlyList<int> values)
    {
        w.WriteStartObject(key);
        foreach (var joint in Skeleton.PoseTrack.Joints) w.WriteNumber(joint.PoseTrackName, values[joint.Id]);
        w.WriteEndObject();
    }

    /// <summary>Shortest round-trip double (full precision); NaN as null, as poseval's JSON after NaN -> null.</summary>
    private static void WriteValue(Utf8JsonWriter w, string key, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(key, value);
        else w.WriteNull(key);
    }
}
