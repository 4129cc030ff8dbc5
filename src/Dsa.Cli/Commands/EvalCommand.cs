using System.CommandLine;
using System.Diagnostics;
using Dsa.Data;
using Dsa.Evaluation;
using Spectre.Console;

namespace Dsa.Cli.Commands;

/// <summary>
/// `dsa eval --gt GT_DIR --pred PRED_DIR [--json OUT.json] [--per-video]`: the official PoseTrack
/// per-joint AP (poseval's rules) of per-video prediction files against GT files, printed in the
/// paper's layout. Options are fields of <see cref="EvalOptions"/>; a new input form (e.g. a
/// checkpoint to run first) adds an option there and a branch in <see cref="Run"/>.
/// </summary>
internal static class EvalCommand
{
    private sealed class EvalOptions
    {
        public readonly Option<string> Gt = new("--gt") { Description = "Folder of GT per-video PoseTrack files (*.json, PT17 or PT18)." };
        public readonly Option<string> Pred = new("--pred") { Description = "Folder of prediction files with the same file names." };
        public readonly Option<string?> Json = new("--json") { Description = "Also write the result as JSON (percent, NaN as null) to this file." };
        public readonly Option<bool> PerVideo = new("--per-video") { Description = "Also print each video's mAP." };

        public IEnumerable<Option> All => new Option[] { Gt, Pred, Json, PerVideo };
    }

    public static Command Create()
    {
        var options = new EvalOptions();
        var command = new Command("eval", "PoseTrack per-joint AP exactly as the official evaluator (poseval) computes it.");
        foreach (var option in options.All) command.Options.Add(option);
        command.SetAction(parse => Run(parse, options));
        return command;
    }

    private static int Run(ParseResult parse, EvalOptions options)
    {
        string? gtDir = parse.GetValue(options.Gt);
        string? predDir = parse.GetValue(options.Pred);
        if (string.IsNullOrEmpty(gtDir) || string.IsNullOrEmpty(predDir))
        {
            Console.Error.WriteLine("error: dsa eval needs --gt GT_DIR and --pred PRED_DIR.");
            return 2;
        }
        try
        {
            var clock = Stopwatch.StartNew();
            var (gt, pred) = PosetrackAp.ReadFolders(gtDir, predDir);
            double readSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var result = PosetrackAp.Evaluate(gt, pred);
            double evalSeconds = clock.Elapsed.TotalSeconds;

            Print(result, parse.GetValue(options.PerVideo));
            // Cold timings of this one run; `dsa bench eval` measures warm ones into JSON.
            AnsiConsole.MarkupLine(
                $"[grey]{gt.Count} videos, {result.FramesEvaluated} frames evaluated; read {readSeconds * 1000:F1} ms, evaluated {evalSeconds * 1000:F1} ms[/]");
            if (parse.GetValue(options.Json) is string jsonPath)
            {
                ApResultJson.Write(result, jsonPath);
                AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(jsonPath)}[/]");
            }
            return 0;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    private static string Cell(double v) => double.IsNaN(v) ? "NaN" : v.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);

    private static void Print(ApResult result, bool perVideo)
    {
        var table = new Table().Title("PoseTrack AP (poseval rules)");
        foreach (string c in ResultsTable.ColumnNames) table.AddColumn(new TableColumn(c).RightAligned());
        table.AddRow(new[] { "AP" }.Concat(Skeleton.ReportColumns.Select(c => Cell(result.Columns[c]))).Append(Cell(result.Total)).ToArray());
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
}
