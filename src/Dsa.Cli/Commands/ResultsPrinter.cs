using Dsa.Data;
using Dsa.Evaluation;
using Microsoft.Data.Analysis;
using Spectre.Console;

namespace Dsa.Cli.Commands;

/// <summary>Prints an <see cref="ApResult"/> in the paper's table layout (shared by eval, train and demo).</summary>
internal static class ResultsPrinter
{
    public static string Cell(double v) => double.IsNaN(v) ? "NaN" : v.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The paper-style row (Head .. Ankle, mAP), the per-joint AP/precision/recall table and, optionally, each video's mAP.</summary>
    public static void Print(string method, ApResult result, bool perVideo = false)
    {
        var table = new Table().Title("PoseTrack AP (poseval rules)");
        foreach (string c in ResultsTable.ColumnNames) table.AddColumn(new TableColumn(c).RightAligned());
        table.AddRow(new[] { Markup.Escape(method) }.Concat(Skeleton.ReportColumns.Select(c => Cell(result.Columns[c]))).Append(Cell(result.Total)).ToArray());
        AnsiConsole.Write(table);

        var joints = new Table().Title("per joint: AP / precision / recall");
        joints.AddColumn("joint");
        joints.AddColumn(new TableColumn("AP").RightAligned());
        joints.AddColumn(new TableColumn("pre").RightAligned());
        joints.AddColumn(new TableColumn("rec").RightAligned());
        joints.AddColumn(new TableColumn("GT").RightAligned());
        joints.AddColumn(new TableColumn("pred").RightAligned());
        foreach (var j in Skeleton.PoseTrack.Joints)
            joints.AddRow(j.Name, Cell(result.PerJoint[j.Id]), Cell(result.Precision[j.Id]), Cell(result.Recall[j.Id]),
                result.GtJoints[j.Id].ToString(), result.PredictedJoints[j.Id].ToString());
        AnsiConsole.Write(joints);

        if (!perVideo) return;
        var videos = new Table().Title("per video");
        videos.AddColumn("video");
        videos.AddColumn(new TableColumn("frames").RightAligned());
        videos.AddColumn(new TableColumn("mAP").RightAligned());
        foreach (var (name, v) in result.PerVideo)
            videos.AddRow(Markup.Escape(name), v.FramesEvaluated.ToString(), Cell(v.Total));
        AnsiConsole.Write(videos);
    }

    /// <summary>Several methods in one paper-style table, with the paper's Table 1 (PoseTrack2017 val) below for reference.</summary>
    public static void PrintComparison(IEnumerable<(string Method, ApResult Result)> rows)
    {
        var table = new Table().Title("PoseTrack AP (poseval rules)");
        foreach (string c in ResultsTable.ColumnNames) table.AddColumn(new TableColumn(c).RightAligned());
        foreach (var (method, result) in rows)
            table.AddRow(new[] { Markup.Escape(method) }.Concat(Skeleton.ReportColumns.Select(c => Cell(result.Columns[c]))).Append(Cell(result.Total)).ToArray());
        foreach (var paper in PaperResults.PoseTrack17Val)
            table.AddRow(new[] { $"[grey]{Markup.Escape(paper.Method)} (paper, PT17 val)[/]" }
                .Concat(Skeleton.ReportColumns.Select(c => $"[grey]{(paper.Columns[c] is { } v ? Cell(v) : "-")}[/]")).Append($"[grey]{Cell(paper.Map)}[/]").ToArray());
        AnsiConsole.Write(table);
    }

    /// <summary>
    /// A <see cref="DegradationBreakdown.Table"/> transposed so it fits a terminal: one line per value (Frames, Joints,
    /// Head .. Ankle, Total), one column per subset (and model, when there are several); a missing value prints "-".
    /// </summary>
    public static void PrintBreakdown(DataFrame frame)
    {
        var table = new Table().Title("Where the frames are hard: AP on sharp / blurred frames, PCKh@0.5 on visible / occluded joints");
        var rows = Enumerable.Range(0, (int)frame.Rows.Count).ToList();
        var model = frame.Columns[DegradationBreakdown.ModelColumn];
        bool oneModel = rows.Select(r => model[r]).Distinct().Count() <= 1;
        table.AddColumn("");
        foreach (int r in rows)
        {
            string header = $"{frame.Columns[DegradationBreakdown.SubsetColumn][r]} {frame.Columns[DegradationBreakdown.MetricColumn][r]}";
            table.AddColumn(new TableColumn(Markup.Escape(oneModel ? header : $"{model[r]}: {header}")).RightAligned());
        }
        var labels = new[] { DegradationBreakdown.ModelColumn, DegradationBreakdown.SubsetColumn, DegradationBreakdown.MetricColumn };
        foreach (var column in frame.Columns.Where(c => !labels.Contains(c.Name)))
            table.AddRow(new[] { column.Name }.Concat(rows.Select(r => column[r] switch
            {
                null => "-",
                double d => Cell(d),
                var v => v.ToString() ?? "",
            })).ToArray());
        AnsiConsole.Write(table);
    }

    /// <summary>How well the alignment's offsets follow the true motion (or why there is nothing to measure).</summary>
    public static void PrintOffsetError(Dsa.Inference.AlignmentOffsetReport? report)
    {
        if (report is null)
        {
            Console.WriteLine("offsets: the model has no alignment to measure.");
            return;
        }
        string F(double? v) => v is { } x ? x.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"offsets at the annotated joints ({report.Stage}, {report.Pairs} joint-frame pairs of {report.Samples} samples; heatmap px): " +
            $"true motion {F(report.TrueMotion)}, GAB error {F(report.GabError)}, stage (GAB + LEB k) error {F(report.StageError)}, " +
            $"mean |GAB offset| {F(report.MeanGabOffset)}, GAB closer than zero {F(report.GabCloserShare * 100)} %");
    }
}
