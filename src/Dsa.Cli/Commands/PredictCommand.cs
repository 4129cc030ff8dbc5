using System.CommandLine;
using Dsa.Training;
using Dsa.Reports;
using Dsa.Workflows;
using Spectre.Console;

namespace Dsa.Cli.Commands;

/// <summary>
/// `dsa predict --checkpoint CKPT --frames DIR [--boxes DETECTIONS.json --score-threshold 0.5]
/// [--annotations FILE.json] --out DIR [--no-overlays]`: poses in one video's frames with a trained
/// model (<see cref="VideoPredictor"/>). Detection image_id values match the annotation file's image
/// ids when --annotations is given, otherwise the 0-based frame index in sorted file-name order.
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Training checkpoint (the model config is inside).", Required = true };
        var frames = new Option<string>("--frames") { Description = "One video's frames: image files (*.jpg, *.jpeg, *.png), frame order = sorted file names.", Required = true };
        var boxes = new Option<string?>("--boxes") { Description = "Person detections, COCO results format [{image_id, bbox:[x,y,w,h], score}]. image_id = the annotation file's image id with --annotations, else the 0-based frame index." };
        var threshold = new Option<double>("--score-threshold") { Description = "Drop detections below this score.", DefaultValueFactory = _ => 0.5 };
        var annotations = new Option<string?>("--annotations") { Description = "The video's PoseTrack annotation file: its ground-truth boxes (without --boxes), image ids and image names." };
        var output = new Option<string>("--out") { Description = "Output folder: <video>.json and overlays/*.png.", Required = true };
        var noOverlays = new Option<bool>("--no-overlays") { Description = "Do not render overlay PNGs." };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per forward pass.", DefaultValueFactory = _ => 8 };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("predict", "Predict poses in one video's frames with a trained checkpoint; writes a PoseTrack file poseval accepts and overlays.")
        {
            checkpoint, frames, boxes, threshold, annotations, output, noOverlays, batchSize, device,
        };
        command.SetAction(parse =>
        {
            var options = new VideoPredictionOptions
            {
                Checkpoint = parse.GetValue(checkpoint)!, FramesDir = parse.GetValue(frames)!, OutDir = parse.GetValue(output)!,
                DetectionsPath = parse.GetValue(boxes), ScoreThreshold = parse.GetValue(threshold), AnnotationsPath = parse.GetValue(annotations),
                BatchSize = parse.GetValue(batchSize), Device = parse.GetValue(device)!,
            };
            if (options.DetectionsPath is null && options.AnnotationsPath is null)
            {
                Console.Error.WriteLine("error: dsa predict needs person boxes: --boxes DETECTIONS.json and/or --annotations FILE.json (its ground-truth boxes).");
                return 2;
            }
            try
            {
                var result = VideoPredictor.Run(options);
                AnsiConsole.MarkupLine($"{result.Predictions.Frames.Count} frames, {result.People} people; boxes: {Markup.Escape(result.Boxes)}");
                if (result.FormatNote is not null) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(result.FormatNote)}[/]");
                AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(result.PredictionPath)}[/] ({result.Format})");
                if (!parse.GetValue(noOverlays))
                {
                    string overlays = Path.Combine(options.OutDir, "overlays");
                    var written = PredictionOverlays.Write(result, overlays);
                    AnsiConsole.MarkupLine($"wrote {written.Count} overlays to [blue]{Markup.Escape(overlays)}[/]");
                }
                return 0;
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return command;
    }
}
