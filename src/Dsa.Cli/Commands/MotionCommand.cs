using System.CommandLine;
using System.Globalization;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.Nn;
using Dsa.Workflows;
using Spectre.Console;

namespace Dsa.Cli.Commands;

/// <summary>`dsa data motion`: how far joints move between the key frame and its supporting frames, in heatmap pixels.</summary>
internal static class MotionCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "A dataset root (annotations/{train,val}/*.json) or a folder of PoseTrack 2017/2018 annotation files.", Required = true };
        var split = new Option<string>("--split") { Description = "Split of a dataset root: train, val or all.", DefaultValueFactory = _ => "val" };
        var preset = new Option<string?>("--preset") { Description = "Measure at this preset's heatmap size: " + Presets.Names + $" (default {Presets.DefaultName})." };
        var heatmap = new Option<string?>("--heatmap") { Description = "Heatmap size HxW (e.g. 96x72, the paper's; input = 4x), instead of --preset." };
        var offsets = new Option<string>("--offsets") { Description = "Supporting offsets, comma-separated.", DefaultValueFactory = _ => string.Join(",", SupportingWindow.Default.Offsets) };
        var keypointBoxes = new Option<bool>("--keypoint-boxes") { Description = "Crop around the keypoint box even where the file has a person box (poseval's rule)." };
        var json = new Option<string?>("--json") { Description = "Also write the statistics and histograms to this JSON file." };
        var command = new Command("motion", "Ground-truth joint displacement from the key frame to each supporting frame, in the model's heatmap pixels after the pipeline's crop.")
        {
            dataset, split, preset, heatmap, offsets, keypointBoxes, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(preset) is not null && parse.GetValue(heatmap) is not null)
                throw new ArgumentException("Give either --preset or --heatmap, not both.");
            var codec = parse.GetValue(heatmap) is { } size ? CodecForHeatmap(size) : CodecForPreset(parse.GetValue(preset) ?? Presets.DefaultName);
            var options = new JointMotionOptions
            {
                Offsets = ParseOffsets(parse.GetValue(offsets)!),
                BoxSource = parse.GetValue(keypointBoxes) ? BoxSource.Keypoints : BoxSource.AnnotatedBox,
            };
            var videos = ReadVideos(Path.GetFullPath(parse.GetValue(dataset)!), parse.GetValue(split)!);
            var report = JointMotion.Measure(videos, codec, options);
            Print(report);
            if (parse.GetValue(json) is { } path)
            {
                report.Write(Path.GetFullPath(path));
                Console.WriteLine($"wrote {Path.GetFullPath(path)}");
            }
            return 0;
        });
        return command;
    }

    private static HeatmapCodec CodecForPreset(string name)
    {
        var model = Presets.Get(name).Model;
        return HeatmapCodec.ForInput(model.InputWidth, model.InputHeight);
    }

    /// <summary>"HxW" (height first, as the paper writes 96x72) -&gt; the codec of a 4x input.</summary>
    internal static HeatmapCodec CodecForHeatmap(string size)
    {
        var parts = size.ToLowerInvariant().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int h) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int w) || h < 1 || w < 1)
            throw new ArgumentException($"--heatmap {size}: expected HxW with positive integers, e.g. 96x72.");
        return HeatmapCodec.ForInput(4 * w, 4 * h);
    }

    internal static IReadOnlyList<int> ParseOffsets(string text)
    {
        var result = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            result.Add(int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int d) && d != 0
                ? d : throw new ArgumentException($"--offsets {text}: '{part}' is not a non-zero integer."));
        return result.Count > 0 ? result : throw new ArgumentException("--offsets: give at least one offset, e.g. -2,-1,1,2.");
    }

    private static IReadOnlyList<VideoAnnotation> ReadVideos(string root, string split)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"--dataset {root}: the folder does not exist.");
        var annotations = Path.Combine(root, "annotations");
        if (!Directory.Exists(annotations)) return PoseTrackReader.ReadFolder(root);
        string[] splits = split switch
        {
            "all" => ["train", "val"],
            "train" or "val" => [split],
            _ => throw new ArgumentException($"--split {split}: use train, val or all."),
        };
        return splits.SelectMany(s => PoseTrackReader.ReadFolder(Path.Combine(annotations, s))).ToList();
    }

    private static void Print(JointMotionReport report)
    {
        string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine($"{report.Videos} videos, {report.Samples} key-frame people; heatmap {report.HeatmapHeight}x{report.HeatmapWidth} " +
            $"(input {report.InputHeight}x{report.InputWidth}), crop = {report.BoxSource} box x {report.Padding}; " +
            $"{report.OutsideVideo} supporting frames outside the video, {report.Unmatched} without the same track");
        var table = new Table { Border = TableBorder.Simple }.AddColumn("offset");
        foreach (var c in new[] { "joints", "median", "p75", "p90", "p99", "mean", "max" }) table.AddColumn(new TableColumn(c).RightAligned());
        foreach (var m in report.ByOffset.Concat(report.ByDistance))
        {
            var d = m.Distribution;
            table.AddRow(m.Label, d.Count.ToString(CultureInfo.InvariantCulture), F(d.Median), F(d.P75), F(d.P90), F(d.P99), F(d.Mean), F(d.Max));
        }
        AnsiConsole.Write(table);
        Console.WriteLine("(heatmap pixels; ±d pools t-d and t+d)");
    }
}
