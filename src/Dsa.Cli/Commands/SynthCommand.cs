using System.CommandLine;
using System.Diagnostics;
using Dsa.Data;

namespace Dsa.Cli.Commands;

/// <summary>`dsa synth`: write the synthetic PoseTrack-like video set (see SyntheticVideoGenerator).</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var defaults = new SyntheticVideoConfig();
        var output = new Option<string>("--out") { Description = "Dataset root to write (annotations/, images/, meta/).", DefaultValueFactory = _ => "data/synthetic" };
        var videos = new Option<int>("--videos") { Description = "Videos in all; a quarter (at least one) go to val.", DefaultValueFactory = _ => defaults.TrainVideos + defaults.ValVideos };
        var frames = new Option<int>("--frames") { Description = "Frames per video.", DefaultValueFactory = _ => defaults.Frames };
        var people = new Option<int>("--people") { Description = "People per video.", DefaultValueFactory = _ => defaults.People };
        var width = new Option<int>("--width") { Description = "Frame width in pixels.", DefaultValueFactory = _ => defaults.Width };
        var height = new Option<int>("--height") { Description = "Frame height in pixels.", DefaultValueFactory = _ => defaults.Height };
        var speed = new Option<double>("--speed") { Description = "Motion speed multiplier.", DefaultValueFactory = _ => defaults.Speed };
        var blur = new Option<double>("--blur") { Description = "Motion blur amount (0 = none).", DefaultValueFactory = _ => defaults.Blur };
        var occlusion = new Option<double>("--occlusion") { Description = "Chance of moving occluders per video.", DefaultValueFactory = _ => defaults.Occlusion };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same dataset).", DefaultValueFactory = _ => defaults.Seed };
        var command = new Command("synth", "Generate synthetic PoseTrack-format videos (blur, occlusion, fast motion).")
        {
            output, videos, frames, people, width, height, speed, blur, occlusion, seed,
        };
        command.SetAction(parse =>
        {
            int total = parse.GetValue(videos);
            int val = total <= 1 ? 0 : Math.Max(1, total / 4);
            var config = new SyntheticVideoConfig
            {
                TrainVideos = total - val, ValVideos = val, Frames = parse.GetValue(frames), People = parse.GetValue(people),
                Width = parse.GetValue(width), Height = parse.GetValue(height), Speed = parse.GetValue(speed), Blur = parse.GetValue(blur),
                Occlusion = parse.GetValue(occlusion), Seed = parse.GetValue(seed),
            };
            string root = Path.GetFullPath(parse.GetValue(output)!);
            var clock = Stopwatch.StartNew();
            var progress = new Dsa.Training.InlineProgress<(int Done, int Total)>(p => Console.Error.Write($"\r  video {p.Done}/{p.Total}"));
            var summary = new SyntheticVideoGenerator(config).Write(root, progress);
            Console.Error.WriteLine();
            Console.WriteLine($"Wrote {summary.Videos} videos ({config.TrainVideos} train, {config.ValVideos} val), {summary.Frames} frames to {summary.Root} in {clock.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"  {summary.PersonInstances} annotated people, {summary.Joints} joints ({100.0 * summary.OccludedJoints / Math.Max(1, summary.Joints):F1} % occluded), " +
                $"{summary.BlurredFrames} motion-blurred frames");
            return 0;
        });
        return command;
    }
}
