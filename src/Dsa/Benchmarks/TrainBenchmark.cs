using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Benchmarks;

/// <summary>
/// Training throughput: one step = forward + JointsMseLoss (eq. 7) + backward + Adam step, as the
/// Trainer does, on random input of the model's shapes (so data loading is not measured). Same
/// protocol as <see cref="DeformConvBenchmark"/>: median of N steps after warm-up, peak resident set
/// (VmHWM) reset per case. The PyTorch mirror bench/reference/dsa_train_bench.py builds the same
/// architecture from the cases file this class writes and must report the same parameter counts.
/// </summary>
public static class TrainBenchmark
{
    public const string Implementation = "TorchSharp DsaNet";

    /// <summary>camelCase, enums as names: the cases file the PyTorch mirror reads and the report.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <param name="deform">The deformable convolutions' implementation (<see cref="DeformConv.SetImplementation"/>).</param>
    /// <param name="compareDeform">Also time each case with the deformable convolutions on the grid_sample route,
    /// its steps alternating with the <paramref name="deform"/> ones on the same model: those results follow each case's
    /// own, their implementation marked with <see cref="DeformNote"/>(GridSample).</param>
    public static IReadOnlyList<TrainBenchmarkResult> Run(IEnumerable<TrainBenchmarkCase> cases, int batchSize, int steps, int warmup = 2,
        int? threads = null, IProgress<TrainBenchmarkResult>? progress = null, DeformConvImplementation deform = DeformConvImplementation.Auto,
        bool compareDeform = false)
    {
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), $"threads must be >= 1; got {threads}.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be >= 1; got {batchSize}.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"steps must be >= 1; got {steps}.");
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), $"warmup must be >= 0; got {warmup}.");
        if (threads is int n) torch.set_num_threads(n);
        var implementations = compareDeform && deform != DeformConvImplementation.GridSample
            ? new[] { deform, DeformConvImplementation.GridSample }
            : new[] { deform };
        var results = new List<TrainBenchmarkResult>();
        foreach (var c in cases)
            foreach (var result in RunCase(c, batchSize, steps, warmup, implementations))
            {
                results.Add(result);
                progress?.Report(result);
            }
        return results;
    }

    /// <summary>What a result's implementation says about its deformable convolutions ("" for <see cref="DeformConvImplementation.Auto"/>).</summary>
    public static string DeformNote(DeformConvImplementation deform) =>
        deform == DeformConvImplementation.Auto ? "" : $", deformable convolutions: {deform}";

    /// <summary>Parameter counts of a case's model (all, trainable), as the cases file records them.</summary>
    public static (long All, long Trainable) CountParameters(ModelConfig model)
    {
        using var net = new DsaNet("dsa", model);
        return (ModelComplexity.CountParameters(net), net.parameters().Where(p => p.requires_grad).Sum(p => p.numel()));
    }

    private static IEnumerable<TrainBenchmarkResult> RunCase(TrainBenchmarkCase c, int batchSize, int steps, int warmup,
        IReadOnlyList<DeformConvImplementation> implementations)
    {
        torch.manual_seed(0);
        var m = c.Model;
        using var model = new DsaNet("dsa", m);
        model.train();
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = optim.Adam(trainable, lr: 1e-3);
        var (h, w) = m.HeatmapSize;
        using var frames = torch.randn(new long[] { batchSize, m.FrameCount, 3, m.InputHeight, m.InputWidth }); // [B, T, 3, H, W]
        using var targets = torch.rand(batchSize, m.Joints, h, w);                                 // [B, J, h, w]
        using var weights = torch.ones(batchSize, m.Joints, 1);                                    // [B, J, 1]

        Action Step(DeformConvImplementation deform) => () =>
        {
            DeformConv.SetImplementation(model, deform);
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var heatmaps = model.forward(frames);
            var loss = JointsMseLoss.Compute(heatmaps, targets, weights);
            loss.backward();
            optimizer.step();
        };

        var timings = implementations.Count == 1
            ? new[] { StepTimer.Measure(Step(implementations[0]), warmup, steps) with { PeakResidentBytes = null } }
            : StepTimer.MeasureAlternating(implementations.Select(Step).ToList(), warmup, steps);
        long parameters = ModelComplexity.CountParameters(model), trainableCount = trainable.Sum(p => p.numel());
        return implementations.Zip(timings, (deform, t) => new TrainBenchmarkResult($"{Implementation} ({TorchRuntime.Describe()}{DeformNote(deform)})", c.Name,
            new long[] { batchSize, m.FrameCount, 3, m.InputHeight, m.InputWidth }, parameters, trainableCount,
            steps, t.MedianSeconds, t.FastestSeconds, batchSize / t.MedianSeconds, t.PeakResidentBytes ?? PeakResidentSet.Read(), t.PeakReset,
            torch.get_num_threads())).ToList();
    }

    /// <summary>
    /// The cases file for the PyTorch mirror: per case its name, the full <see cref="ModelConfig"/> and
    /// the parameter counts TorchSharp's model has (the mirror asserts its own are equal).
    /// </summary>
    public static string CasesJson(IEnumerable<TrainBenchmarkCase> cases) =>
        JsonSerializer.Serialize(cases.Select(c =>
        {
            var (all, trainable) = CountParameters(c.Model);
            return new CaseRecord(c.Name, c.Model, all, trainable);
        }).ToList(), JsonOptions);

    /// <summary>Runs the PyTorch mirror on a cases file and parses its JSON (results with the same fields).</summary>
    public static IReadOnlyList<TrainBenchmarkResult> RunPyTorchReference(string python, string script, string casesPath,
        int batchSize, int steps, int warmup, int threads)
    {
        return ReferenceScript.Run<TrainBenchmarkResult>(python, script, new[]
        {
            "--cases", casesPath, "--batch-size", batchSize.ToString(), "--steps", steps.ToString(),
            "--warmup", warmup.ToString(), "--threads", threads.ToString(),
        }, JsonOptions);
    }

    private sealed record CaseRecord(string Case, ModelConfig Model, long Parameters, long TrainableParameters);
}
