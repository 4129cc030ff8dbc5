using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dsa.Training;

/// <summary>
/// The per-run log: one JSON object per line (log.jsonl) and the same rows as CSV (log.csv), plus
/// TensorBoard scalars. On resume, rows after the checkpoint's step are dropped so the logs read as
/// one uninterrupted run.
/// </summary>
public sealed class MetricsLog
{
    private static readonly string[] Columns = { "kind", "epoch", "step", "lr", "loss", "samples_per_s", "val_map", "time" };
    private readonly string jsonlPath, csvPath;
    private readonly TorchSharp.Modules.SummaryWriter? tensorboard;

    public MetricsLog(RunFolder run, long resumeStep = -1, bool tensorBoard = true)
    {
        jsonlPath = run.LogJsonl;
        csvPath = run.LogCsv;
        var kept = resumeStep >= 0 ? Read(jsonlPath).Where(r => r.Step <= resumeStep).ToList() : new List<TrainingEvent>();
        File.WriteAllText(jsonlPath, "");
        File.WriteAllText(csvPath, string.Join(",", Columns) + "\n");
        foreach (var e in kept) AppendText(e);
        if (tensorBoard) tensorboard = TorchSharp.torch.utils.tensorboard.SummaryWriter(run.TensorBoardDir, createRunName: false);
    }

    public void Append(TrainingEvent e)
    {
        AppendText(e);
        if (tensorboard is null) return;
        int step = (int)Math.Min(int.MaxValue, e.Step);
        if (e.Loss is { } loss) tensorboard.add_scalar("train/loss", (float)loss, step);
        if (e.Kind == "step") tensorboard.add_scalar("train/lr", (float)e.LearningRate, step);
        if (e.SamplesPerSecond is { } sps) tensorboard.add_scalar("train/samples_per_s", (float)sps, step);
        if (e.ValidationMap is { } map) tensorboard.add_scalar("val/mAP", (float)map, step);
    }

    private void AppendText(TrainingEvent e)
    {
        var o = new JsonObject
        {
            ["kind"] = e.Kind, ["epoch"] = e.Epoch, ["step"] = e.Step, ["lr"] = e.LearningRate,
            ["loss"] = e.Loss, ["samples_per_s"] = e.SamplesPerSecond, ["val_map"] = e.ValidationMap,
            ["time"] = DateTimeOffset.UtcNow.ToString("O"),
        };
        if (e.Message is not null) o["message"] = e.Message;
        File.AppendAllText(jsonlPath, o.ToJsonString() + "\n");
        string F(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
        File.AppendAllText(csvPath, string.Join(",", e.Kind, e.Epoch, e.Step, F(e.LearningRate), F(e.Loss), F(e.SamplesPerSecond), F(e.ValidationMap), o["time"]) + "\n");
    }

    /// <summary>Reads a log.jsonl back (for reports, notebooks and resume).</summary>
    public static IReadOnlyList<TrainingEvent> Read(string jsonlPath)
    {
        if (!File.Exists(jsonlPath)) return Array.Empty<TrainingEvent>();
        var list = new List<TrainingEvent>();
        int line = 0;
        foreach (var text in File.ReadLines(jsonlPath))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonNode? n;
            try { n = JsonNode.Parse(text); }
            catch (JsonException ex) { throw new InvalidDataException($"{jsonlPath}:{line}: not JSON: {ex.Message}"); }
            if (n is null) continue;
            list.Add(new TrainingEvent(
                (string?)n["kind"] ?? "step", (int?)n["epoch"] ?? 0, (long?)n["step"] ?? 0, 0,
                (double?)n["lr"] ?? 0, (double?)n["loss"], (double?)n["samples_per_s"], (double?)n["val_map"], (string?)n["message"]));
        }
        return list;
    }

}
