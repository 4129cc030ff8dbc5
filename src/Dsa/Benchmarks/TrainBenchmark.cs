using System.Diagnostics;
using System.Runtime;
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
    /// own, their <see cref="TrainBenchmarkResult.Deform"/> GridSample (and their implementation named with <see cref="DeformNote"/>).</param>
    /// <param name="profile">Also time each step's phases and the forward's parts, read the loss every step (as the
    /// Trainer does) and record the runtime settings: <see cref="TrainBenchmarkResult.Profile"/> and <see cref="TrainBenchmarkResult.Settings"/>.</param>
    public static IReadOnlyList<TrainBenchmarkResult> Run(IEnumerable<TrainBenchmarkCase> cases, int batchSize, int steps, int warmup = 2,
        int? threads = null, IProgress<TrainBenchmarkResult>? progress = null, DeformConvImplementation deform = DeformConvImplementation.Auto,
        bool compareDeform = false, bool profile = false)
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
            foreach (var result in RunCase(c, batchSize, steps, warmup, implementations, profile))
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
        IReadOnlyList<DeformConvImplementation> implementations, bool profile)
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
        using var clock = profile ? new ForwardSplitClock(model) : null;
        var recorders = implementations.Select(_ => clock is null ? null : new TrainStepRecorder(clock)).ToList();

        // The same step with or without a recorder; the recorder only reads the clock between the phases, and adds the
        // loss read (.item()) that the Trainer does every step, so that its cost shows.
        Action Step(DeformConvImplementation deform, TrainStepRecorder? recorder) => () =>
        {
            DeformConv.SetImplementation(model, deform);
            recorder?.Begin();
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                recorder?.Mark();
                var heatmaps = model.forward(frames);
                recorder?.Mark();
                var loss = JointsMseLoss.Compute(heatmaps, targets, weights);
                recorder?.Mark();
                loss.backward();
                recorder?.Mark();
                optimizer.step();
                recorder?.Mark();
                if (recorder is not null)
                {
                    _ = loss.item<float>();
                    recorder.Mark();
                }
            }
            recorder?.End();
        };

        var timings = implementations.Count == 1
            ? new[] { StepTimer.Measure(Step(implementations[0], recorders[0]), warmup, steps) with { PeakResidentBytes = null } }
            : StepTimer.MeasureAlternating(implementations.Select((d, i) => Step(d, recorders[i])).ToList(), warmup, steps);
        long parameters = ModelComplexity.CountParameters(model), trainableCount = trainable.Sum(p => p.numel());
        var settings = clock is null ? null : Settings(frames, clock);
        return implementations.Select((deform, i) => new TrainBenchmarkResult($"{Implementation} ({TorchRuntime.Describe()}{DeformNote(deform)})", c.Name,
            new long[] { batchSize, m.FrameCount, 3, m.InputHeight, m.InputWidth }, parameters, trainableCount,
            steps, timings[i].MedianSeconds, timings[i].FastestSeconds, batchSize / timings[i].MedianSeconds,
            timings[i].PeakResidentBytes ?? PeakResidentSet.Read(), timings[i].PeakReset, torch.get_num_threads(),
            recorders[i]?.Summarise(steps), settings) { Deform = deform }).ToList();
    }

    /// <summary>The settings a profiled case ran under (see <see cref="TrainRuntimeSettings"/>).</summary>
    private static TrainRuntimeSettings Settings(Tensor frames, ForwardSplitClock clock)
    {
        string? parallel = LibtorchBuildInfo.ParallelInfo(), config = LibtorchBuildInfo.BuildConfig();
        var decision = OneDnnConvolutions.Decision;
        bool frozenForwardsSwitch = OneDnnConvolutions.GradientFreeForwardsAllowed && decision.FaultMeasured;
        string note = $"{decision}; a frozen backbone's gradient-free forward {(frozenForwardsSwitch ? "turns oneDNN on" : "keeps this setting")}";
        return new TrainRuntimeSettings(torch.get_num_threads(), torch.get_num_interop_threads(), LibtorchBuildInfo.MkldnnAvailable(),
            OneDnnConvolutions.Enabled, note, TensorMemoryFormat.Describe(frames), clock.HeadInputFormat, clock.OutputFormat,
            LibtorchBuildInfo.ParallelBackend(parallel), LibtorchBuildInfo.CpuCapability(config), LibtorchBuildInfo.BlasInfo(config),
            parallel, config, GCSettings.IsServerGC,
            // Workstation GC runs in the background (concurrent) unless the latency mode is Batch.
            GCSettings.LatencyMode != GCLatencyMode.Batch, GCSettings.LatencyMode.ToString());
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
    /// <param name="profile">Pass --profile: the mirror then times the same phases and reports its settings.</param>
    public static IReadOnlyList<TrainBenchmarkResult> RunPyTorchReference(string python, string script, string casesPath,
        int batchSize, int steps, int warmup, int threads, bool profile = false)
    {
        var arguments = new List<string>
        {
            "--cases", casesPath, "--batch-size", batchSize.ToString(), "--steps", steps.ToString(),
            "--warmup", warmup.ToString(), "--threads", threads.ToString(),
        };
        if (profile) arguments.Add("--profile");
        return ReferenceScript.Run<TrainBenchmarkResult>(python, script, arguments, JsonOptions);
    }

    private sealed record CaseRecord(string Case, ModelConfig Model, long Parameters, long TrainableParameters);
}
