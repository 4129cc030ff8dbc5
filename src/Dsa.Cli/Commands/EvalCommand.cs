using System.CommandLine;
using System.Diagnostics;
using Dsa.Data.Synthetic;
using Dsa.Evaluation;
using Dsa.Inference;
using Dsa.Training;
using Dsa.Workflows;
using Spectre.Console;

namespace Dsa.Cli.Commands;

/// <summary>
/// `dsa eval --gt GT_DIR --pred PRED_DIR [--json OUT.json] [--per-video]`: the official PoseTrack
/// per-joint AP (poseval's rules) of per-video prediction files against GT files, printed in the
/// paper's layout. `dsa eval --checkpoint CKPT --data DIR [--split val] [--pred-out DIR]` runs a trained
/// model on a dataset split first (<see cref="CheckpointEvaluation"/>); exactly one of the two forms.
/// `--breakdown` adds AP on sharp vs motion-blurred frames and PCKh on visible vs occluded joints
/// (<see cref="DegradationBreakdown"/>) from a synthetic set's meta files: DATA/meta/SPLIT with --data, --meta DIR with --gt/--pred.
/// Options are fields of <see cref="EvalOptions"/>; a new input form adds options there and a branch in <see cref="Run"/>.
/// </summary>
internal static class EvalCommand
{
    private sealed class EvalOptions
    {
        public readonly Option<string> Gt = new("--gt") { Description = "Folder of GT per-video PoseTrack files (*.json, PT17 or PT18)." };
        public readonly Option<string> Pred = new("--pred") { Description = "Folder of prediction files with the same file names." };
        public readonly Option<string?> Json = new("--json") { Description = "Also write the result as JSON (percent, NaN as null) to this file." };
        public readonly Option<bool> PerVideo = new("--per-video") { Description = "Also print each video's mAP." };
        public readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Instead of --gt/--pred: a training checkpoint to run on --data's split first." };
        public readonly Option<string?> Data = new("--data") { Description = "With --checkpoint: dataset folder (annotations/{train,val}/*.json + frames)." };
        public readonly Option<string> Split = new("--split") { Description = "With --checkpoint: the split to evaluate.", DefaultValueFactory = _ => "val" };
        public readonly Option<int> BatchSize = new("--batch-size") { Description = "With --checkpoint: samples per forward pass.", DefaultValueFactory = _ => 16 };
        public readonly Option<string> Device = new("--device") { Description = "With --checkpoint: cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        public readonly Option<string?> PredOut = new("--pred-out") { Description = "With --checkpoint: also write the predictions as per-video PoseTrack files to this folder." };
        public readonly Option<bool> Breakdown = new("--breakdown") { Description = "Also print AP on sharp vs blurred frames and PCKh on visible vs occluded joints (synthetic sets: needs their meta files)." };
        public readonly Option<string?> Meta = new("--meta") { Description = "With --gt/--pred --breakdown: the folder of the synthetic set's meta files (DATA/meta/SPLIT)." };
        public readonly Option<bool> Strict = new("--strict") { Description = "Refuse to score when GT and prediction frames disagree (by image name or id), an image id repeats, annotations point at unknown images, or coordinates are absurd (otherwise: warnings)." };

        public readonly Option<bool> OffsetError = new("--offset-error") { Description = "With --checkpoint: also measure how well the alignment's offsets at the annotated joints follow the true motion (end-point error vs no alignment)." };

        public IEnumerable<Option> All => new Option[] { Gt, Pred, Json, PerVideo, Checkpoint, Data, Split, BatchSize, Device, PredOut, Breakdown, Meta, Strict, OffsetError };
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
        string? checkpoint = parse.GetValue(options.Checkpoint);
        bool folderForm = !string.IsNullOrEmpty(gtDir) || !string.IsNullOrEmpty(predDir);
        bool checkpointForm = !string.IsNullOrEmpty(checkpoint) || !string.IsNullOrEmpty(parse.GetValue(options.Data));
        if (folderForm == checkpointForm)
        {
            Console.Error.WriteLine("error: dsa eval needs exactly one of --gt GT_DIR --pred PRED_DIR (prediction files) or --checkpoint CKPT --data DIR (run a model first).");
            return 2;
        }
        string? metaDir = parse.GetValue(options.Meta);
        bool breakdown = parse.GetValue(options.Breakdown);
        if (!string.IsNullOrEmpty(metaDir) && (!breakdown || checkpointForm))
        {
            Console.Error.WriteLine("error: --meta DIR goes with --gt/--pred --breakdown (with --data the meta folder is DATA/meta/SPLIT).");
            return 2;
        }
        if (checkpointForm) return RunCheckpoint(parse, options);
        if (string.IsNullOrEmpty(gtDir) || string.IsNullOrEmpty(predDir))
        {
            Console.Error.WriteLine("error: dsa eval needs both --gt GT_DIR and --pred PRED_DIR.");
            return 2;
        }
        if (breakdown && string.IsNullOrEmpty(metaDir))
        {
            Console.Error.WriteLine("error: --breakdown with --gt/--pred needs --meta DIR (the synthetic set's meta/SPLIT folder).");
            return 2;
        }
        try
        {
            var clock = Stopwatch.StartNew();
            var (gt, pred) = PosetrackAp.ReadFolders(gtDir, predDir);
            double readSeconds = clock.Elapsed.TotalSeconds;
            if (!ReportInputProblems(EvaluationInputCheck.Check(gt, pred), parse.GetValue(options.Strict))) return 1;
            clock.Restart();
            var result = PosetrackAp.Evaluate(gt, pred);
            double evalSeconds = clock.Elapsed.TotalSeconds;

            ResultsPrinter.Print("AP", result, parse.GetValue(options.PerVideo));
            // Cold timings of this one run; `dsa bench eval` measures warm ones into JSON.
            AnsiConsole.MarkupLine(
                $"[grey]{gt.Count} videos, {result.FramesEvaluated} frames evaluated; read {readSeconds * 1000:F1} ms, evaluated {evalSeconds * 1000:F1} ms[/]");
            WriteJson(parse, options, result);
            if (breakdown)
                ResultsPrinter.PrintBreakdown(DegradationBreakdown.Table(new[] { (predDir,
                    DegradationBreakdown.Evaluate(gt, pred, SyntheticVideoMeta.ReadFolder(metaDir!).Values)) }));
            return 0;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Prints each finding as a warning; with --strict any finding is an error (false: do not score).</summary>
    private static bool ReportInputProblems(IReadOnlyList<string> findings, bool strict)
    {
        foreach (var finding in findings) Console.Error.WriteLine($"{(strict ? "error" : "warning")}: {finding}");
        if (findings.Count == 0 || !strict) return true;
        Console.Error.WriteLine($"error: {findings.Count} problem(s) with the evaluation input; not scored (--strict).");
        return false;
    }

    private static int RunCheckpoint(ParseResult parse, EvalOptions options)
    {
        string? checkpoint = parse.GetValue(options.Checkpoint), data = parse.GetValue(options.Data);
        if (string.IsNullOrEmpty(checkpoint) || string.IsNullOrEmpty(data))
        {
            Console.Error.WriteLine("error: dsa eval needs both --checkpoint CKPT and --data DIR.");
            return 2;
        }
        try
        {
            var clock = Stopwatch.StartNew();
            string split = parse.GetValue(options.Split)!;
            var evaluation = CheckpointEvaluation.Run(checkpoint, new DatasetFolder(data), split, parse.GetValue(options.BatchSize), parse.GetValue(options.Device)!);
            if (!ReportInputProblems(EvaluationInputCheck.Check(evaluation.GroundTruth, evaluation.Predictions), parse.GetValue(options.Strict))) return 1;
            ResultsPrinter.Print(Path.GetFileName(checkpoint), evaluation.Result, parse.GetValue(options.PerVideo));
            AnsiConsole.MarkupLine($"[grey]{evaluation.GroundTruth.Count} {Markup.Escape(split)} videos, {evaluation.Result.FramesEvaluated} frames evaluated, " +
                $"offsets [[{string.Join(", ", evaluation.Model.SupportOffsets)}]], epoch {evaluation.State.Epoch}; {clock.Elapsed.TotalSeconds:F1} s[/]");
            WriteJson(parse, options, evaluation.Result);
            if (parse.GetValue(options.Breakdown))
                ResultsPrinter.PrintBreakdown(DegradationBreakdown.Table(new[] { (Path.GetFileName(checkpoint),
                    DegradationBreakdown.Evaluate(evaluation.GroundTruth, evaluation.Predictions, SyntheticVideoMeta.ReadFolder(SyntheticVideoMeta.Folder(data, split)).Values)) }));
            if (parse.GetValue(options.OffsetError))
                ResultsPrinter.PrintOffsetError(OffsetErrorFor(checkpoint, data, split, evaluation.Model));
            if (parse.GetValue(options.PredOut) is string predOut)
                foreach (var (path, format) in CheckpointEvaluation.WritePredictions(evaluation.Predictions, predOut))
                    AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(path)}[/] ({format})");
            return 0;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    private static AlignmentOffsetReport? OffsetErrorFor(string checkpoint, string data, string split, Dsa.Nn.ModelConfig model)
    {
        var folder = new DatasetFolder(data);
        var (net, _) = Checkpoint.LoadModel(checkpoint);
        using (net) return AlignmentOffsetError.Measure(net, Experiment.Dataset(folder.Read(split), folder, model));
    }

    private static void WriteJson(ParseResult parse, EvalOptions options, ApResult result)
    {
        if (parse.GetValue(options.Json) is not string jsonPath) return;
        ApResultJson.Write(result, jsonPath);
        AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(jsonPath)}[/]");
    }
}
