using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dsa.Data;
using Dsa.IO;
using Dsa.Nn;
using Dsa.Training;
using Microsoft.Data.Analysis;

namespace Dsa.Workflows;

/// <summary>
/// Trains and evaluates each ablation row (Tables 4 and 5, plus the single-frame baseline) with
/// several seeds, and summarises mean and standard deviation per column. Each (row, seed) is its own
/// run folder (ROOT/ROW/seedN); a cell whose results/val_ap.json exists is read back rather than
/// retrained, so an interrupted grid continues where it stopped.
/// With <see cref="AblationPlanOptions.InitBackboneFrom"/> every cell starts from the same pretrained backbone (as the paper's rows all
/// start from one COCO-pretrained HRNet); pass a base model with <c>FreezeBackbone = true</c> to keep it fixed,
/// so that rows differ only in what the row changes. With <see cref="AblationPlanOptions.WarmStartFrom"/> (a single-frame checkpoint) every cell
/// starts from its backbone AND head (Checkpoint.WarmStart: the head's supporting-frame inputs start at zero, so every
/// row computes the single-frame model's heatmaps at step 0 and the rows differ only in what their alignment adds),
/// the protocol of `dsa demo`.
/// </summary>
public static class AblationRunner
{
    public static IReadOnlyList<string> MetricColumns { get; } = Skeleton.ReportColumns.Append("mAP").ToArray();

    /// <summary>Plans the grid in its root (<see cref="AblationGrid.Plan"/>) and runs every cell in this process.</summary>
    public static IReadOnlyList<AblationCell> Run(AblationGridSpec grid,
        IProgress<(string Row, int Seed, TrainingEvent Event)>? progress = null, CancellationToken cancellation = default)
    {
        AblationGrid.Plan(grid);
        return AblationGrid.RunAll(grid.Root, progress, cancellation).Finished;
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

    /// <summary>
    /// Writes into <paramref name="dir"/>: ablation.csv (the summary, one line per row), cells.csv (one line per (row, seed):
    /// row, seed, mAP, the paper's columns, steps and the offset errors) and ablation.json (summary, every cell with its
    /// per-joint AP, and the command).
    /// </summary>
    public static void Save(string dir, IReadOnlyList<AblationCell> cells, IReadOnlyList<AblationSummaryRow> summary, string? command = null)
    {
        Directory.CreateDirectory(dir);
        string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
        string N(double? v) => v is { } x ? F(x) : "";
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", new[] { "row", "paper_row", "paper_map", "seeds" }.Concat(MetricColumns.SelectMany(c => new[] { c, c + "_std" }))));
        foreach (var s in summary)
            csv.AppendLine(string.Join(",", new[] { s.Row, $"\"{s.PaperRow}\"", s.PaperMap is { } p ? F(p) : "", s.Seeds.ToString(CultureInfo.InvariantCulture) }
                .Concat(MetricColumns.SelectMany(c => new[] { F(s.Mean[c]), F(s.Std[c]) }))));
        AtomicFile.WriteAllText(Path.Combine(dir, "ablation.csv"), csv.ToString());

        var perCell = new StringBuilder();
        perCell.AppendLine(string.Join(",", new[] { "row", "seed", "mAP" }.Concat(Skeleton.ReportColumns)
            .Concat(new[] { "steps", "offset_true_motion_px", "offset_gab_error_px", "offset_stage_error_px", "offset_gab_closer_share", "offset_aligner_error_px" })));
        foreach (var c in cells)
            perCell.AppendLine(string.Join(",", new[] { c.Row, c.Seed.ToString(CultureInfo.InvariantCulture), F(c.Map) }
                .Concat(Skeleton.ReportColumns.Select(k => F(c.Columns[k])))
                .Concat(new[] { c.Steps.ToString(CultureInfo.InvariantCulture), N(c.Offsets?.TrueMotion), N(c.Offsets?.GabError), N(c.Offsets?.StageError), N(c.Offsets?.GabCloserShare), N(c.Offsets?.AlignerError) })));
        AtomicFile.WriteAllText(Path.Combine(dir, "cells.csv"), perCell.ToString());

        var json = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        AtomicFile.WriteAllText(Path.Combine(dir, "ablation.json"), JsonSerializer.Serialize(new
        {
            command,
            summary,
            cells = cells.Select(c => new { c.Row, c.Seed, Map = c.Map, c.Columns, c.PerJoint, c.Steps, c.Offsets, c.Seconds, RunDir = Path.GetRelativePath(dir, c.RunDir) }),
        }, json));
    }
}
