using System.CommandLine;
using System.Text.Json;
using Dsa.Benchmarks;
using Dsa.IO;
using Dsa.Nn;
using Dsa.Workflows;

namespace Dsa.Cli.Commands;

/// <summary>
/// `dsa bench train [--json FILE] [--batch-size 16] [--steps N] [--compare] [--profile]`: training samples/second and
/// peak memory of cpu-small DSA, the single-frame baseline and DSA with a frozen backbone; with --compare
/// the same models in PyTorch (bench/reference/dsa_train_bench.py) at the same thread count, side by side; with
/// --profile each step's phases and the runtime settings, both sides.
/// </summary>
internal static class BenchTrainCommand
{
    private const string ReferenceScript = "bench/reference/dsa_train_bench.py";

    public static Command Create()
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write the results (and the comparison) to this JSON file; the model configs go beside it (*.models.json)." };
        var models = new Option<FileInfo?>("--models") { Description = "Write the cases' model configs and parameter counts here (default: beside --json)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per step (cpu-small training uses 16).", DefaultValueFactory = _ => 16 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per case (median reported).", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps before timing.", DefaultValueFactory = _ => 2 };
        var threads = new Option<int?>("--threads") { Description = "torch intra-op threads for both implementations (default: libtorch's)." };
        var compare = new Option<bool>("--compare") { Description = $"Also time the PyTorch mirror {ReferenceScript} (needs /usr/bin/python3 with torch and torchvision) and print the ratio." };
        var python = new Option<string?>("--python") { Description = "Python interpreter for --compare (default: the first of /usr/bin/python3, python3 that imports torchvision)." };
        var script = new Option<FileInfo?>("--reference-script") { Description = $"Path of the PyTorch mirror (default: {ReferenceScript} above the current or the program's folder)." };
        var deform = new Option<DeformConvImplementation>("--deform") { Description = "Implementation of the deformable convolutions: Auto (the im2col kernel on CPU float32), Im2Col or GridSample (the libtorch route).", DefaultValueFactory = _ => DeformConvImplementation.Auto };
        var profile = new Option<bool>("--profile") { Description = "Also time each step's phases (zero_grad, forward: backbone / alignment / head, loss, backward, Adam, loss.item()), count the .NET GCs, and record the runtime settings (threads, oneDNN, BLAS, CPU capability, memory formats); with --compare the PyTorch mirror's too, side by side. Each profiled step also reads the loss, as training does." };
        var compareDeform = new Option<bool>("--compare-deform") { Description = "Also time every case with its deformable convolutions on the grid_sample route, the steps alternating with --deform's on the same model, and print the ratio." };
        var command = new Command("train", "Training throughput (forward+backward+Adam on random cpu-small input) and peak memory: DSA, single-frame, DSA with frozen backbone.")
        {
            json, models, batchSize, steps, warmup, threads, compare, python, script, deform, compareDeform, profile,
        };
        command.SetAction(parse =>
        {
            var cases = TrainBenchmarkCase.Defaults;
            int b = parse.GetValue(batchSize), n = parse.GetValue(steps), w = parse.GetValue(warmup);
            double? load = MachineFacts.LoadAverage1Minute();
            Console.WriteLine($"{TorchRuntime.Describe()}; {Environment.ProcessorCount} processors, load average {load?.ToString("F2") ?? "?"}");

            var modelsFile = parse.GetValue(models)?.FullName
                ?? (parse.GetValue(json) is FileInfo j ? Path.ChangeExtension(j.FullName, ".models.json") : null);
            string casesJson = TrainBenchmark.CasesJson(cases);
            if (modelsFile is not null)
            {
                AtomicFile.WriteAllText(modelsFile, casesJson);
                Console.WriteLine($"wrote {modelsFile}");
            }

            var deformation = parse.GetValue(deform);
            var timed = TrainBenchmark.Run(cases, b, n, w, parse.GetValue(threads),
                new InlineProgress<TrainBenchmarkResult>(r => Console.WriteLine($"TorchSharp {r.Case,-20} {r.SamplesPerSecond,8:F2} samples/s  median step {r.MedianSeconds:F3} s  peak {r.PeakResidentBytes / 1048576.0:F0} MiB  {r.TorchThreads} threads{(r.Deform == DeformConvImplementation.GridSample ? "  (deformable convolutions: grid_sample)" : "")}")),
                deformation, parse.GetValue(compareDeform), parse.GetValue(profile));
            bool compared = parse.GetValue(compareDeform) && deformation != DeformConvImplementation.GridSample;
            var ours = compared ? timed.Where(r => r.Deform != DeformConvImplementation.GridSample).ToList() : timed;
            var gridSampleDeform = compared ? timed.Where(r => r.Deform == DeformConvImplementation.GridSample).ToList() : null;

            IReadOnlyList<TrainBenchmarkResult>? reference = null;
            if (parse.GetValue(compare))
            {
                var interpreter = parse.GetValue(python) ?? new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(DeformConvBenchmark.CanImportTorchvision);
                var scriptPath = parse.GetValue(script)?.FullName ?? BenchCommand.FindUpwards(ReferenceScript);
                if (interpreter is null)
                    Console.Error.WriteLine("--compare: no python3 with torch and torchvision found (apt-get install -y python3-torch python3-torchvision); comparison skipped.");
                else if (scriptPath is null)
                    Console.Error.WriteLine($"--compare: {ReferenceScript} not found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}; pass --reference-script.");
                else
                {
                    string casesPath = modelsFile ?? Path.Combine(Path.GetTempPath(), $"train-cases-{Guid.NewGuid():N}.json");
                    if (modelsFile is null) File.WriteAllText(casesPath, casesJson);
                    try
                    {
                        reference = TrainBenchmark.RunPyTorchReference(interpreter, scriptPath, casesPath, b, n, w, ours[0].TorchThreads, parse.GetValue(profile));
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or IOException)
                    {
                        Console.Error.WriteLine($"error: {ex.Message}");
                        return 1;
                    }
                    finally { if (modelsFile is null) File.Delete(casesPath); }
                }
            }

            TrainBenchmarkReport report;
            try { report = TrainBenchmarkReport.Create(TorchRuntime.Describe(), Environment.ProcessorCount, load, ours, reference, gridSampleDeform); }
            catch (InvalidDataException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
            Console.Write(report.FormatTable());
            if (report.FormatProfile() is { Length: > 0 } profileTable)
            {
                Console.WriteLine();
                Console.Write(profileTable);
            }
            if (report.MedianRatioToGridSampleDeform is not null)
                foreach (var (name, ratio) in report.MedianRatioToGridSampleDeform)
                    Console.WriteLine($"{name,-20} step with the im2col kernel / with the grid_sample route = {ratio:F2}");
            BenchCommand.WriteJson(parse, json, report, MachineFacts.Read(describeTorch: true), TrainBenchmark.JsonOptions);
            return 0;
        });
        return command;
    }
}
