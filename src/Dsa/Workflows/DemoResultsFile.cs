using System.Text.Json;
using System.Text.Json.Nodes;
using Dsa.Data;
using Dsa.Data.Pipeline;
using Dsa.Data.Synthetic;
using Dsa.Evaluation;
using Dsa.IO;
using Dsa.Inference;
using Dsa.Nn;

namespace Dsa.Workflows;

/// <summary>
/// runs/demo/results.json: one object per compared model ("dsa", "baseline", and "ground_truth_flow" when the demo trained
/// the diagnostic) with its per-joint AP, the paper's columns, mAP,
/// the blurred/occluded breakdown (<see cref="DegradationBreakdown"/>), its steps, its seed and its GAB offset error; beside
/// them the data set's motion statistics (<see cref="JointMotion"/>, the model's heatmap pixels) and where training started.
/// What a notebook or a seed sweep reads instead of scraping the terminal.
/// </summary>
public static class DemoResultsFile
{
    public const string FileName = "results.json";

    public static string Write(DemoLayout layout, DatasetFolder data, int seed, string start, IReadOnlyList<(string Key, ExperimentResult Result)> models)
    {
        var val = data.Read("val");
        var metaDir = SyntheticVideoMeta.Folder(data.Root, "val");
        var meta = Directory.Exists(metaDir) ? SyntheticVideoMeta.ReadFolder(metaDir).Values.ToList() : null;
        var config = models[0].Result.Model;
        var motion = JointMotion.Measure(val, HeatmapCodec.ForInput(config.InputWidth, config.InputHeight),
            new JointMotionOptions { Offsets = config.IsSingleFrame ? SupportingWindow.Default.Offsets : config.SupportOffsets });
        var root = new JsonObject
        {
            ["seed"] = seed,
            ["start"] = start,
            ["data"] = Path.GetFullPath(data.Root),
            ["motion"] = new JsonObject
            {
                ["heatmap"] = $"{motion.HeatmapHeight}x{motion.HeatmapWidth}",
                ["samples"] = motion.Samples,
                ["by_distance"] = new JsonArray(motion.ByDistance.Select(m => (JsonNode)new JsonObject
                {
                    ["distance"] = m.Offset, ["pairs"] = m.Distribution.Count, ["median_px"] = m.Distribution.Median, ["p90_px"] = m.Distribution.P90, ["mean_px"] = m.Distribution.Mean,
                }).ToArray()),
            },
        };
        foreach (var (key, result) in models)
        {
            var breakdown = meta is null ? null : DegradationBreakdown.Evaluate(val, result.Predictions, meta);
            root[key] = new JsonObject
            {
                ["per_joint"] = new JsonObject(Skeleton.PoseTrack.Joints.Select(j => KeyValuePair.Create(j.Name, Number(result.Validation.PerJoint[j.Id])))),
                ["columns"] = new JsonObject(Skeleton.ReportColumns.Select(c => KeyValuePair.Create(c, Number(result.Validation.Columns[c])))),
                ["mAP"] = Number(result.Validation.Total),
                ["steps"] = result.Outcome.Steps,
                ["seed"] = seed,
                ["supporting_offsets"] = new JsonArray(result.Model.SupportOffsets.Select(o => (JsonNode?)o).ToArray()),
                ["breakdown"] = breakdown is null ? null : new JsonArray(breakdown.Subsets.Select(s => (JsonNode)new JsonObject
                {
                    ["subset"] = s.Subset, ["metric"] = s.Metric, ["frames"] = s.Frames, ["joints"] = s.Joints, ["total"] = s.Joints == 0 ? null : Number(s.Total),
                }).ToArray()),
                ["offsets"] = result.Offsets?.ToJsonNode(),
            };
        }
        var path = layout.Results;
        AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return Path.GetFullPath(path);

        static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 4)) : null;
    }
}
