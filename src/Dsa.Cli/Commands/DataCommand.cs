using System.CommandLine;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.Visualization;
using SkiaSharp;

namespace Dsa.Cli.Commands;

/// <summary>`dsa data show`: draw one frame of a dataset with its skeletons, person boxes and head boxes.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "Dataset root (image paths in the annotation are relative to it).", Required = true };
        var video = new Option<string>("--video") { Description = "Annotation file name without .json (e.g. 003418_mpii_test, gt_pt18, joints for JHMDB).", Required = true };
        var frame = new Option<int>("--frame") { Description = "0-based frame index in the video.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "PNG file to write.", Required = true };
        var scale = new Option<float>("--scale") { Description = "Output scale factor (positive; the picture's sides stay within 16384 pixels).", DefaultValueFactory = _ => 1f };
        scale.Validators.Add(result =>
        {
            float value = result.GetValueOrDefault<float>();
            if (!(value > 0) || !float.IsFinite(value) || value > 64) result.AddError($"--scale {value}: give a number above 0 (e.g. 2 for twice the size).");
        });
        var show = new Command("show", "Render a frame with its annotated skeletons, person boxes and head boxes to a PNG.")
        {
            dataset, video, frame, output, scale,
        };
        show.SetAction(parse =>
        {
            string root = Path.GetFullPath(parse.GetValue(dataset)!);
            string name = parse.GetValue(video)!;
            var file = FindAnnotation(root, name);
            var annotation = Path.GetFileName(file) == "joints.json" ? JhmdbJointsReader.Read(file) : PoseTrackReader.ReadVideo(file);
            int index = parse.GetValue(frame);
            var target = annotation.Frames.FirstOrDefault(f => f.FrameIndex == index)
                ?? throw new ArgumentException($"{file} has no frame {index} (frames {annotation.Frames.Min(f => f.FrameIndex)}..{annotation.Frames.Max(f => f.FrameIndex)}).");
            string imagePath = PoseTrackVideoDataset.ResolveFramePath(root, target.ImagePath);
            using var bitmap = AffineCrop.DecodeFrame(imagePath, $"{name} frame {index}");
            using var overlay = PoseOverlayRenderer.Render(bitmap, target, scale: parse.GetValue(scale));
            using var png = overlay.Encode(SKEncodedImageFormat.Png, 100);
            string outPath = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
            File.WriteAllBytes(outPath, png.ToArray());
            Console.WriteLine($"{outPath}: {annotation.Name} frame {index} ({imagePath}), {target.People.Count} people");
            return 0;
        });
        return new Command("data", "Inspect datasets.") { show, MotionCommand.Create() };
    }

    private static string FindAnnotation(string root, string name)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Dataset folder '{root}' does not exist.");
        var matches = Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Where(f => Path.GetFileNameWithoutExtension(f) == name || Path.GetFileName(f) == name)
            .OrderBy(f => f.Contains($"{Path.DirectorySeparatorChar}meta{Path.DirectorySeparatorChar}") ? 1 : 0).ThenBy(f => f, StringComparer.Ordinal).ToList();
        return matches.Count > 0 ? matches[0]
            : throw new FileNotFoundException($"No annotation file '{name}.json' under '{root}'.");
    }
}
