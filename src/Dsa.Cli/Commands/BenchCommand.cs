using System.CommandLine;
using System.Text.Json;
using Dsa.Benchmarks;
using Dsa.IO;

namespace Dsa.Cli.Commands;

/// <summary>`dsa bench ...`: timings written to JSON (never timed unit tests).</summary>
internal static class BenchCommand
{
    private const string ReferenceScript = "bench/reference/deform_conv2d_bench.py";

    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks (timings to JSON).");
        command.Subcommands.Add(CreateDeform());
        command.Subcommands.Add(CreateEval());
        command.Subcommands.Add(BenchDataCommand.Create());
        command.Subcommands.Add(BenchTrainCommand.Create());
        command.Subcommands.Add(BenchPredictCommand.Create());
        return command;
    }

    private static Command CreateEval()
    {
        var gt = new Option<string>("--gt") { Description = "GT folder (per-video PoseTrack files).", Required = true };
        var pred = new Option<string>("--pred") { Description = "Prediction folder (same file names).", Required = true };
        var json = new Option<FileInfo?>("--json") { Description = "Write the timings to this JSON file." };
        var repeats = new Option<int>("--repeats") { Description = "Runs of read + evaluate (the first, cold, is reported apart).", DefaultValueFactory = _ => 5 };
        var command = new Command("eval", "Time reading and evaluating a GT / prediction folder pair (PoseTrack AP, poseval rules).")
        {
            gt, pred, json, repeats,
        };
        command.SetAction(parse =>
        {
            EvalBenchmarkResult r;
            try
            {
                r = EvalBenchmark.Run(parse.GetValue(gt)!, parse.GetValue(pred)!, Math.Max(1, parse.GetValue(repeats)));
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
            Console.WriteLine($"{r.Videos} videos, {r.FramesEvaluated} frames, {r.Bytes / 1048576.0:F1} MiB, mAP {r.Total:F4}, {r.ProcessorCount} processors");
            Console.WriteLine($"first run: read {r.FirstReadSeconds * 1000:F1} ms, evaluate {r.FirstEvaluateSeconds * 1000:F1} ms");
            Console.WriteLine($"warm median of {r.Repeats - 1}: read {r.ReadMedianSeconds * 1000:F1} ms, evaluate {r.EvaluateMedianSeconds * 1000:F1} ms (fastest {r.EvaluateMinSeconds * 1000:F1} ms)");
            WriteJson(parse, json, r, MachineFacts.Read(describeTorch: false)); // pure evaluation never starts libtorch
            return 0;
        });
        return command;
    }

    private static Command CreateDeform()
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write the results (and the comparison) to this JSON file." };
        var compare = new Option<bool>("--compare") { Description = $"Also time torchvision.ops.deform_conv2d with {ReferenceScript} (needs python3 with torchvision) and print the ratio." };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per shape (median reported).", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before timing.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "torch intra-op threads for both implementations (default: each library's own)." };
        var python = new Option<string?>("--python") { Description = "Python interpreter for --compare (default: the first of python3, /usr/bin/python3 that imports torchvision)." };
        var script = new Option<FileInfo?>("--reference-script") { Description = $"Path of the torchvision script (default: {ReferenceScript} above the current or the program's folder)." };
        var skipGridSample = new Option<bool>("--skip-grid-sample") { Description = "Time only the im2col kernel, not the grid_sample route beside it (alternating runs)." };
        var command = new Command("deform", "Time forward+backward of ModulatedDeformConv2d on HRNet-W48 feature shapes [8|4, 48, 96, 72] -> 48 (3x3, pad 1): the im2col kernel and the grid_sample route side by side.")
        {
            json, compare, repeats, warmup, threads, python, script, skipGridSample,
        };
        command.SetAction(parse =>
        {
            var cases = DeformConvBenchmarkCase.Defaults;
            int n = parse.GetValue(repeats), w = parse.GetValue(warmup);
            int? t = parse.GetValue(threads);
            Console.WriteLine(TorchRuntime.Describe());
            Console.WriteLine($"load average {MachineFacts.LoadAverage1Minute()?.ToString("F2") ?? "?"}");
            Console.WriteLine($"{"implementation",-38} {"case",-14} {"input",-18} {"Cout",5} {"median s",10} {"min s",10} {"peak RSS MiB",13} {"threads",7}");
            var timed = DeformConvBenchmark.Run(cases, n, w, t, new SynchronousProgress(Print), gridSample: !parse.GetValue(skipGridSample));
            var ours = timed.Where(r => r.Implementation == DeformConvBenchmark.Implementation).ToList();
            var gridSample = timed.Where(r => r.Implementation == DeformConvBenchmark.GridSampleImplementation).ToList();

            IReadOnlyList<DeformConvBenchmarkResult>? reference = null;
            if (parse.GetValue(compare))
            {
                var interpreter = parse.GetValue(python) ?? new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(DeformConvBenchmark.CanImportTorchvision);
                var scriptPath = parse.GetValue(script)?.FullName ?? FindUpwards(ReferenceScript);
                if (interpreter is null)
                    Console.Error.WriteLine("--compare: no python3 with torchvision found (apt-get install -y python3-torchvision); comparison skipped.");
                else if (scriptPath is null)
                    Console.Error.WriteLine($"--compare: {ReferenceScript} not found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}; pass --reference-script.");
                else
                {
                    reference = DeformConvBenchmark.RunTorchvisionReference(interpreter, scriptPath, cases, n, w, t);
                    foreach (var r in reference) Print(r);
                }
            }

            var report = DeformConvBenchmarkReport.Create(TorchRuntime.Describe(), ours, reference, gridSample.Count > 0 ? gridSample : null);
            if (report.MedianRatioToGridSample is not null)
                foreach (var (name, ratio) in report.MedianRatioToGridSample)
                    Console.WriteLine($"{name,-14} im2col / grid_sample median time = {ratio:F2}");
            if (report.MedianRatio is not null)
                foreach (var (name, ratio) in report.MedianRatio)
                    Console.WriteLine($"{name,-14} im2col / torchvision median time = {ratio:F2}");
            WriteJson(parse, json, report, MachineFacts.Read(describeTorch: true));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Writes a benchmark result as JSON when --json was given, with the machine's facts ("machine") and the command
    /// line ("command") beside the result's own fields, so that a number under bench/results says where it came from.
    /// </summary>
    internal static void WriteJson(ParseResult parse, Option<FileInfo?> json, object result, MachineFacts machine, System.Text.Json.JsonSerializerOptions? options = null)
    {
        if (parse.GetValue(json) is not { } file) return;
        options ??= DeformConvBenchmark.JsonOptions;
        var node = JsonSerializer.SerializeToNode(result, result.GetType(), options)!.AsObject();
        node["machine"] = JsonSerializer.SerializeToNode(machine, options);
        node["command"] = "dsa " + string.Join(" ", parse.Tokens.Select(t => t.Value));
        Directory.CreateDirectory(file.DirectoryName!);
        AtomicFile.WriteAllText(file.FullName, node.ToJsonString(options));
        Console.WriteLine($"wrote {file.FullName}");
    }

    private static void Print(DeformConvBenchmarkResult r)
    {
        var name = r.Implementation.Split(" (")[0]; // the versions are in the JSON
        Console.WriteLine($"{name,-38} {r.Case,-14} {"[" + string.Join(",", r.InputShape) + "]",-18} {r.OutChannels,5} {r.MedianSeconds,10:F4} {r.MinSeconds,10:F4} {r.PeakResidentBytes / 1048576.0,13:F0} {r.TorchThreads,7}");
    }

    internal static string? FindUpwards(string relative)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>Progress that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<DeformConvBenchmarkResult> report) : IProgress<DeformConvBenchmarkResult>
    {
        public void Report(DeformConvBenchmarkResult value) => report(value);
    }
}
