using System.CommandLine;
using Dsa.Benchmarks;
using Dsa.Data.Synthetic;
using Dsa.Nn;
using Dsa.Workflows;

namespace Dsa.Cli.Commands;

/// <summary>`dsa bench predict`: inference throughput (key frames per second) of DSA and the single-frame model.</summary>
internal static class BenchPredictCommand
{
    public static Command Create()
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write the results with the machine's facts to this JSON file." };
        var preset = new Option<string>("--preset") { Description = "Preset: " + Presets.Names, DefaultValueFactory = _ => Presets.DefaultName };
        var rows = new Option<string>("--rows") { Description = "Models to time (ablation rows, comma-separated).", DefaultValueFactory = _ => "complete,single-frame" };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset folder whose val split is predicted; default: a fresh synthetic set of 2 videos." };
        var videos = new Option<int>("--videos") { Description = "Validation videos predicted per timed pass (the first ones; every labelled person of every frame).", DefaultValueFactory = _ => 1 };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per forward pass.", DefaultValueFactory = _ => 16 };
        var repeats = new Option<int>("--repeats") { Description = "Timed passes (median reported), after one untimed.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (0 = libtorch's default).", DefaultValueFactory = _ => 0 };
        var command = new Command("predict", "Inference throughput as dsa predict runs it: data loading, forward, decoding, back to image pixels (weights do not matter: random ones).")
        {
            json, preset, rows, dataset, videos, batchSize, repeats, threads,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) > 0) TorchSharp.torch.set_num_threads(parse.GetValue(threads));
            var machine = MachineFacts.Read(describeTorch: true);
            string? temp = null;
            try
            {
                string root = parse.GetValue(dataset) ?? (temp = Path.Combine(Path.GetTempPath(), "dsa-bench-predict-" + Guid.NewGuid().ToString("N")));
                if (temp is not null) new SyntheticVideoGenerator(new SyntheticVideoConfig { TrainVideos = 0, ValVideos = 2, Seed = 1 }).Write(temp);
                var data = new DatasetFolder(root);
                var val = data.Read("val").Take(Math.Max(1, parse.GetValue(videos))).ToList();
                var results = new List<PredictBenchmarkResult>();
                foreach (var row in Ablations.Parse(parse.GetValue(rows)!))
                {
                    var config = row.Apply(Presets.Get(parse.GetValue(preset)!).Model);
                    using var model = new DsaNet("dsa", config);
                    var r = PredictBenchmark.Run(row.Key, model, Experiment.Dataset(val, data, config), Experiment.Pipeline(config), parse.GetValue(batchSize), repeats: Math.Max(1, parse.GetValue(repeats)));
                    Console.WriteLine($"{r.Case,-14} {r.Samples} samples ({r.KeyFrames} key frames, {r.FrameCount} frames each): median {r.MedianSeconds:F3} s, " +
                        $"{r.SamplesPerSecond:F1} samples/s, {r.KeyFramesPerSecond:F1} key frames/s, peak {r.PeakResidentBytes / 1048576.0:F0} MiB, {r.TorchThreads} threads");
                    results.Add(r);
                }
                BenchCommand.WriteJson(parse, json, new { benchmark = "predict", results }, machine);
                return 0;
            }
            finally
            {
                if (temp is not null && Directory.Exists(temp)) Directory.Delete(temp, true);
            }
        });
        return command;
    }
}
