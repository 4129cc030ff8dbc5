using System.CommandLine;
using System.Text.Json;
using Dsa.Benchmarks;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Synthetic;
using Dsa.IO;
using Dsa.Workflows;

namespace Dsa.Cli.Commands;

/// <summary>`dsa bench data`: data pipeline throughput, written to a JSON file (a subcommand of BenchCommand).</summary>
internal static class BenchDataCommand
{
    private static readonly string Build =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static Command Create()
    {
        var json = new Option<string>("--json") { Description = "Result file.", Required = true };
        var dataset = new Option<string?>("--dataset") { Description = "PoseTrack root with annotations/<split>/*.json; default: a fresh synthetic set." };
        var samples = new Option<int>("--samples") { Description = "Samples per measurement.", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 8 };
        var workers = new Option<int>("--workers") { Description = "Parallel samples in prefetch mode.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var data = new Command("data", "Samples/second of decode + augment + warp + encode + collate (5 frames per sample).")
        {
            json, dataset, samples, batch, workers,
        };
        data.SetAction(parse =>
        {
            string? root = parse.GetValue(dataset);
            string? temp = null;
            try
            {
                if (root is null)
                {
                    temp = Path.Combine(Path.GetTempPath(), "dsa-bench-" + Guid.NewGuid().ToString("N"));
                    new SyntheticVideoGenerator(new SyntheticVideoConfig { TrainVideos = 0, ValVideos = 4, Seed = 1 }).Write(temp);
                    root = temp;
                }
                var videos = Directory.EnumerateDirectories(Path.Combine(root, "annotations")).OrderBy(d => d, StringComparer.Ordinal)
                    .SelectMany(PoseTrackReader.ReadFolder).ToList();
                var ds = new PoseTrackVideoDataset(videos, root);
                if (Build == "Debug") Console.Error.WriteLine("note: a Debug build; per-pixel loops are several times slower than in Release (dotnet build -c Release).");
                var progress = new Dsa.InlineProgress<string>(Console.WriteLine);
                var results = DataPipelineBenchmark.Run(ds, [(288, 384), (192, 256)], parse.GetValue(samples), parse.GetValue(batch), parse.GetValue(workers), progress);
                var report = new
                {
                    benchmark = "data",
                    dataset = parse.GetValue(dataset) ?? "synthetic (4 videos x 30 frames, 320x240, seed 1)",
                    machine = MachineFacts.Read(describeTorch: false),
                    augmentation = "on (flip, rotation, scale, half body)",
                    build = Build,
                    timestamp = DateTime.UtcNow.ToString("o"),
                    results,
                };
                string path = Path.GetFullPath(parse.GetValue(json)!);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                AtomicFile.WriteAllText(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
                Console.WriteLine($"Wrote {path}");
                return 0;
            }
            finally
            {
                if (temp is not null) Directory.Delete(temp, true);
            }
        });
        return data;
    }
}

