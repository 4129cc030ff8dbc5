using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dsa.Data;
using Dsa.IO;
using Dsa.Nn;
using Microsoft.Data.Analysis;

namespace Dsa.Training;

/// <summary>
/// Trains and evaluates each ablation row (Tables 4 and 5, plus the single-frame baseline) with
/// several seeds, and summarises mean and standard deviation per column. Each (row, seed) is its own
/// run folder (ROOT/ROW/seedN); a cell whose results/val_ap.json exists is read back rather than
/// retrained, so an interrupted grid continues where it stopped.
/// With <c>initBackboneFrom</c> every cell starts from the same pretrained backbone (as the paper's rows all
/// start from one COCO-pretrained HRNet); pass a base model with <c>FreezeBackbone = true</c> to keep it fixed,
/// so that rows differ only in what the row changes. With <c>warmStartFrom</c> (a single-frame checkpoint) every cell
/// starts from its backbone AND head (Checkpoint.WarmStart: the head's supporting-frame inputs start at zero, so every
/// row computes the single-frame model's heatmaps at step 0 and the rows differ only in what their alignment adds),
/// the protocol of `dsa demo`.
/// </summary>
public static class AblationRunner
{
    public static IReadOnlyList<string> MetricColumns { get; } = Skeleton.ReportColumns.Append("mAP").ToArray();

    public static IReadOnlyList<AblationCell> Run(
        IReadOnlyList<AblationRow> rows,
        IReadOnlyList<int> seeds,
        ModelConfig baseModel,
        TrainConfig train,
        DatasetFolder data,
        string root,
        bool force = false,
        int? maxTrainSamples = null,
        IProgress<(string Row, int Seed, TrainingEvent Event)>? progress = null,
        CancellationToken cancellation = default,
        string? initBackboneFrom = null,
        string? warmStartFrom = null)
    {
        if (initBackboneFrom is not null && warmStartFrom is not null)
            throw new ArgumentException("Ablation grid: give either a backbone to start from or a single-frame model to warm-start from, not both.");
        foreach (var (path, what) in new[] { (initBackboneFrom, "backbone"), (warmStartFrom, "warm-start") })
            if (path is not null && !File.Exists(path))
                throw new FileNotFoundException($"Ablation grid: the {what} checkpoint {path} does not exist.", path);
        var cells = new List<AblationCell>();
        foreach (var row in rows)
            foreach (var seed in seeds)
            {
                cancellation.ThrowIfCancellationRequested();
                var dir = Path.Combine(root, row.Key, $"seed{seed}");
                var resultPath = Path.Combine(dir, "results", "val_ap.json");
                if (!force && File.Exists(resultPath))
                {
                    cells.Add(ReadCell(row.Key, seed, dir, resultPath));
                    continue;
                }
                var rowProgress = progress is null ? null : new InlineProgress<TrainingEvent>(e => progress.Report((row.Key, seed, e)));
                var spec = new ExperimentSpec(dir, row.Apply(baseModel), train with { Seed = seed }, data, Force: true, MaxTrainSamples: maxTrainSamples,
                    InitBackboneFrom: initBackboneFrom, WarmStartFrom: warmStartFrom);
                var result = Experiment.Run(spec, rowProgress, cancellation);
                cells.Add(new AblationCell(row.Key, seed, result.Validation.Columns, result.Validation.Total, dir, result.Elapsed.TotalSeconds));
            }
        return cells;
    }

    /// <summary>Mean and sample std (n-1; 0 for a single seed) per row and column, rows in the given order.</summary>
    public static IReadOnlyList<AblationSummaryRow> Summarise(IReadOnlyList<AblationCell> cells, IReadOnlyList<AblationRow> rows) =>
        rows.Where(r => cells.Any(c => c.Row == r.Key)).Select(r =>
        {
            var mine = cells.Where(c => c.Row == r.Key).ToList();
            var mean = new Dictionary<string, double>();
            var std = new Dictionary<string, double>();
            foreach (var column in MetricColumns)
            {
                var values = mine.Select(c => column == "mAP" ? c.Map : c.Columns[column]).ToArray();
                double m = values.Average();
                mean[column] = m;
                std[column] = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - m) * (v - m)) / (values.Length - 1)) : 0;
            }
            return new AblationSummaryRow(r.Key, r.PaperRow, r.PaperMap, mine.Count, mean, std);
        }).ToList();

    /// <summary>The summary as a DataFrame: Row, Paper row, Paper mAP, Seeds, then "COL" and "COL std" for each column.</summary>
    public static DataFrame ToDataFrame(IReadOnlyList<AblationSummaryRow> summary)
    {
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("Row", summary.Select(s => s.Row)),
            new StringDataFrameColumn("Paper row", summary.Select(s => s.PaperRow)),
            new DoubleDataFrameColumn("Paper mAP", summary.Select(s => s.PaperMap)),
            new Int32DataFrameColumn("Seeds", summary.Select(s => s.Seeds)),
        };
        foreach (var c in MetricColumns)
        {
            columns.Add(new DoubleDataFrameColumn(c, summary.Select(s => s.Mean[c])));
            columns.Add(new DoubleDataFrameColumn(c + " std", summary.Select(s => s.Std[c])));
        }
        return new DataFrame(columns);
    }

    /// <summary>Writes ablation.csv (summary), ablation.json (summary and every cell) into <paramref name="root"/>.</summary>
    public static void Save(string root, IReadOnlyList<AblationCell> cells, IReadOnlyList<AblationSummaryRow> summary)
    {
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", new[] { "row", "paper_row", "paper_map", "seeds" }.Concat(MetricColumns.SelectMany(c => new[] { c, c + "_std" }))));
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        foreach (var s in summary)
            csv.AppendLine(string.Join(",", new[] { s.Row, $"\"{s.PaperRow}\"", s.PaperMap is { } p ? F(p) : "", s.Seeds.ToString(CultureInfo.InvariantCulture) }
                .Concat(MetricColumns.SelectMany(c => new[] { F(s.Mean[c]), F(s.Std[c]) }))));
        AtomicFile.WriteAllText(Path.Combine(root, "ablation.csv"), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(root, "ablation.json"), JsonSerializer.Serialize(new { summary, cells }, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static AblationCell ReadCell(string row, int seed, string dir, string path)
    {
        JsonNode node;
        try { node = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("empty"); }
        catch (Exception e) when (e is JsonException or InvalidDataException) { throw new InvalidDataException($"{path}: unreadable result ({e.Message}); delete it or pass --force to retrain.", e); }
        var columns = Skeleton.ReportColumns.ToDictionary(c => c, c => (double?)node["columns"]?[c] ?? double.NaN);
        double map = (double?)node["total"] ?? throw new InvalidDataException($"{path}: field 'total' is missing.");
        return new AblationCell(row, seed, columns, map, dir, 0);
    }
}
