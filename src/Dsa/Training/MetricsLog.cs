using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dsa.IO;

namespace Dsa.Training;

/// <summary>
/// The per-run log: one JSON object per line (log.jsonl) and the same rows as CSV (log.csv), plus
/// TensorBoard scalars. Each row is appended with one write to a file opened for appending, so a
/// crash leaves at most the last line torn; a torn last line is skipped with a warning (in
/// <see cref="Warnings"/>), anything malformed before it is an error naming the line. On resume,
/// rows after the checkpoint's step are dropped so the logs read as one uninterrupted run; the rows
/// kept are written back byte for byte (their timestamps too), through a temporary file and a rename.
/// </summary>
public sealed class MetricsLog
{
    private static readonly string[] Columns = { "kind", "epoch", "step", "lr", "loss", "samples_per_s", "val_map", "time" };
    private readonly string jsonlPath, csvPath;
    private readonly TorchSharp.Modules.SummaryWriter? tensorboard;
    private readonly List<string> warnings = new();

    public MetricsLog(ITrainingOutputs run, long resumeStep = -1, bool tensorBoard = true)
    {
        jsonlPath = run.LogJsonl;
        csvPath = run.LogCsv;
        var kept = resumeStep >= 0
            ? ReadRows(jsonlPath, warnings).Where(r => r.Event.Step <= resumeStep).ToList()
            : new List<(string Line, TrainingEvent Event, string? Time)>();
        AtomicFile.WriteAllText(jsonlPath, string.Concat(kept.Select(r => r.Line + "\n")));
        AtomicFile.WriteAllText(csvPath, string.Join(",", Columns) + "\n" + string.Concat(kept.Select(r => CsvRow(r.Event, r.Time ?? ""))));
        if (tensorBoard) tensorboard = TorchSharp.torch.utils.tensorboard.SummaryWriter(run.TensorBoardDir, createRunName: false);
    }

    /// <summary>What reading the existing log on resume had to skip (a torn last line).</summary>
    public IReadOnlyList<string> Warnings => warnings;

    public void Append(TrainingEvent e)
    {
        AppendText(e);
        if (tensorboard is null) return;
        int step = (int)Math.Min(int.MaxValue, e.Step);
        if (e.Loss is { } loss) tensorboard.add_scalar("train/loss", (float)loss, step);
        if (e.Kind == TrainingEventKind.Step) tensorboard.add_scalar("train/lr", (float)e.LearningRate, step);
        if (e.SamplesPerSecond is { } sps) tensorboard.add_scalar("train/samples_per_s", (float)sps, step);
        if (e.ValidationMap is { } map) tensorboard.add_scalar("val/mAP", (float)map, step);
    }

    private void AppendText(TrainingEvent e)
    {
        string time = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var o = new JsonObject
        {
            ["kind"] = e.KindName, ["epoch"] = e.Epoch, ["step"] = e.Step, ["lr"] = e.LearningRate,
            ["loss"] = e.Loss, ["samples_per_s"] = e.SamplesPerSecond, ["val_map"] = e.ValidationMap,
            ["time"] = time,
        };
        if (e.Message is not null) o["message"] = e.Message;
        AppendLine(jsonlPath, o.ToJsonString() + "\n");
        AppendLine(csvPath, CsvRow(e, time));
    }

    /// <summary>One write of the whole line to a file opened for appending (O_APPEND): the line lands whole or, at a crash, torn at its end.</summary>
    private static void AppendLine(string path, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1);
        fs.Write(bytes);
    }

    private static string CsvRow(TrainingEvent e, string time)
    {
        string F(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
        return string.Join(",", e.KindName, e.Epoch, e.Step, F(e.LearningRate), F(e.Loss), F(e.SamplesPerSecond), F(e.ValidationMap), time) + "\n";
    }

    /// <summary>Reads a log.jsonl back (for reports, notebooks and resume); a torn last line is skipped, and said so in <paramref name="warnings"/>.</summary>
    public static IReadOnlyList<TrainingEvent> Read(string jsonlPath, ICollection<string>? warnings = null) =>
        ReadRows(jsonlPath, warnings ?? new List<string>()).Select(r => r.Event).ToList();

    private static List<(string Line, TrainingEvent Event, string? Time)> ReadRows(string jsonlPath, ICollection<string> warnings)
    {
        var rows = new List<(string, TrainingEvent, string?)>();
        if (!File.Exists(jsonlPath)) return rows;
        var lines = File.ReadAllLines(jsonlPath);
        int last = Array.FindLastIndex(lines, l => !string.IsNullOrWhiteSpace(l));
        for (int i = 0; i <= last; i++)
        {
            string text = lines[i];
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonNode? n;
            try
            {
                n = JsonNode.Parse(text) ?? throw new InvalidDataException($"{jsonlPath}:{i + 1}: a null row.");
                rows.Add((text, new TrainingEvent(
                    TrainingEvent.ParseKind((string?)n["kind"] ?? "step"), (int?)n["epoch"] ?? 0, (long?)n["step"] ?? 0, 0,
                    (double?)n["lr"] ?? 0, (double?)n["loss"], (double?)n["samples_per_s"], (double?)n["val_map"], (string?)n["message"]),
                    (string?)n["time"]));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                // Only the last line can be torn by a crash mid-append; damage before it is not ours to guess around.
                if (i != last) throw new InvalidDataException($"{jsonlPath}:{i + 1}: not a log row: {ex.Message}", ex);
                warnings.Add($"{jsonlPath}:{i + 1}: the last line is incomplete (torn by a crash while it was written) and was skipped.");
            }
        }
        return rows;
    }
}
