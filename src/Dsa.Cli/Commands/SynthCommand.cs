using System.CommandLine;
using System.Diagnostics;
using Dsa.Data.Synthetic;
using Dsa.Workflows;

namespace Dsa.Cli.Commands;

/// <summary>`dsa synth`: write the synthetic PoseTrack-like video set (see SyntheticVideoGenerator).</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Synthetic preset: " + string.Join(", ", SyntheticPresets.All.Keys) + "; the options below override it.", DefaultValueFactory = _ => SyntheticPresets.DefaultName };
        var output = new Option<string>("--out") { Description = "Dataset root to write (annotations/, images/, meta/).", DefaultValueFactory = _ => "data/synthetic" };
        var videos = new Option<int?>("--videos") { Description = "Videos in all; a fifth (at least one) go to val. Default: the preset's." };
        var frames = new Option<int?>("--frames") { Description = "Frames per video." };
        var people = new Option<int?>("--people") { Description = "People per video." };
        var width = new Option<int?>("--width") { Description = "Frame width in pixels." };
        var height = new Option<int?>("--height") { Description = "Frame height in pixels." };
        var speed = new Option<double?>("--speed") { Description = "Motion speed multiplier." };
        var blur = new Option<double?>("--blur") { Description = "Motion blur amount (0 = none)." };
        var occlusion = new Option<double?>("--occlusion") { Description = "Chance of moving occluders per video." };
        var seed = new Option<int?>("--seed") { Description = "Random seed (same seed, same dataset)." };
        var command = new Command("synth", "Generate synthetic PoseTrack-format videos (blur, occlusion, fast motion).")
        {
            preset, output, videos, frames, people, width, height, speed, blur, occlusion, seed,
        };
        command.SetAction(parse =>
        {
            var p = SyntheticPresets.Get(parse.GetValue(preset)!);
            var (train, val) = (p.TrainVideos, p.ValVideos);
            if (parse.GetValue(videos) is { } total)
            {
                val = total <= 1 ? 0 : Math.Max(1, total / 5);
                train = total - val;
            }
            var config = p with
            {
                TrainVideos = train, ValVideos = val,
                Frames = parse.GetValue(frames) ?? p.Frames, People = parse.GetValue(people) ?? p.People,
                Width = parse.GetValue(width) ?? p.Width, Height = parse.GetValue(height) ?? p.Height,
                Speed = parse.GetValue(speed) ?? p.Speed, Blur = parse.GetValue(blur) ?? p.Blur,
                Occlusion = parse.GetValue(occlusion) ?? p.Occlusion, Seed = parse.GetValue(seed) ?? p.Seed,
            };
            string root = Path.GetFullPath(parse.GetValue(output)!);
            var clock = Stopwatch.StartNew();
            var progress = new Dsa.InlineProgress<(int Done, int Total)>(d => Console.Error.Write($"\r  video {d.Done}/{d.Total}"));
            var summary = new SyntheticVideoGenerator(config).Write(root, progress);
            Console.Error.WriteLine();
            string name = SyntheticPresets.NameOf(config) is { } n ? $"preset {n}" : $"preset {parse.GetValue(preset)} with overrides";
            Console.WriteLine($"Wrote {summary.Videos} videos ({config.TrainVideos} train, {config.ValVideos} val; {name}), {summary.Frames} frames to {summary.Root} in {clock.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"  {summary.PersonInstances} annotated people, {summary.Joints} joints ({100.0 * summary.OccludedJoints / Math.Max(1, summary.Joints):F1} % occluded), " +
                $"{summary.BlurredFrames} motion-blurred frames");
            return 0;
        });
        return command;
    }
}
