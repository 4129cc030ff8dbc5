using System.Text.Json;
using Dsa.Benchmarks;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using TorchSharp;

namespace Dsa.Tests.Nn;

/// <summary>
/// `dsa bench train --profile` and its PyTorch mirror: the phases are there and consistent with the step they divide, the
/// settings are read, the JSON reads back (old files too). Structure only: this machine is shared, so no speed is asserted.
/// </summary>
public class TrainBenchmarkProfileTests
{
    private const double Rounding = 1e-9; // tick differences turned into seconds, summed

    [Fact]
    public void EveryCaseHasItsPhasesNonNegativeAndInsideTheStep()
    {
        // One timed step, so each "median" is that step's own value and the phases must nest exactly in it.
        var results = TrainBenchmark.Run(TrainBenchmarkCase.Defaults, batchSize: 1, steps: 1, warmup: 0, profile: true);
        Assert.Equal(TrainBenchmarkCase.Defaults.Select(c => c.Name), results.Select(r => r.Case));
        foreach (var r in results)
        {
            var p = Assert.IsType<TrainStepProfile>(r.Profile);
            foreach (var (name, seconds) in p.Phases())
                Assert.True(seconds is null or >= 0, $"{r.Case}: {name} = {seconds}");
            Assert.NotNull(p.BackboneSeconds);
            Assert.NotNull(p.HeadSeconds);
            Assert.Equal(r.Case != "single-frame", p.AlignmentSeconds is not null);
            Assert.Equal(TrainStepProfile.HooksInForward, p.ForwardSplit);
            // The forward's parts are consecutive spans inside it; the phases are consecutive spans inside the step, and the
            // recorder's step lies inside the one StepTimer timed.
            Assert.True(p.BackboneSeconds + (p.AlignmentSeconds ?? 0) + p.HeadSeconds <= p.ForwardSeconds + Rounding, $"{r.Case}: forward parts exceed it");
            Assert.True(p.PhaseSum <= p.StepSeconds + Rounding, $"{r.Case}: phases {p.PhaseSum} > step {p.StepSeconds}");
            Assert.True(p.StepSeconds <= r.MedianSeconds + Rounding, $"{r.Case}: profiled step {p.StepSeconds} > timed step {r.MedianSeconds}");
            // What no phase holds (setting the deform implementation, reading the GC counters, ending the dispose scope) is small.
            Assert.True(p.PhaseSum >= r.MedianSeconds / 4, $"{r.Case}: phases {p.PhaseSum} s of a {r.MedianSeconds} s step");
            Assert.True(p.Gen0Collections >= p.Gen1Collections && p.Gen1Collections >= p.Gen2Collections && p.Gen2Collections >= 0);
            Assert.True(p.GcPauseSeconds >= 0);

            var s = Assert.IsType<TrainRuntimeSettings>(r.Settings);
            Assert.Equal(torch.get_num_threads(), s.IntraOpThreads);
            Assert.True(s.InterOpThreads >= 1);
            Assert.Equal(OneDnnConvolutions.Enabled, s.MkldnnEnabled);
            Assert.Equal(TensorMemoryFormat.Contiguous, s.InputMemoryFormat);
            Assert.Contains(s.HeadInputMemoryFormat, new[] { TensorMemoryFormat.Contiguous, TensorMemoryFormat.ChannelsLast, TensorMemoryFormat.Strided });
            Assert.Contains(s.OutputMemoryFormat, new[] { TensorMemoryFormat.Contiguous, TensorMemoryFormat.ChannelsLast, TensorMemoryFormat.Strided });
            Assert.NotNull(s.GcServer);
            if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
            {
                Assert.Contains("ATen/Parallel", s.ParallelInfo);
                Assert.Contains("at::get_num_interop_threads() : " + s.InterOpThreads, s.ParallelInfo);
                Assert.NotNull(s.ParallelBackend);
                Assert.NotNull(s.CpuCapability);
                Assert.NotNull(s.MkldnnAvailable);
            }
        }
    }

    [Fact]
    public void UnprofiledRunsLeaveTheNewFieldsOut()
    {
        var single = TrainBenchmarkCase.Defaults.Where(c => c.Name == "single-frame");
        var r = Assert.Single(TrainBenchmark.Run(single, batchSize: 1, steps: 1, warmup: 0));
        Assert.Null(r.Profile);
        Assert.Null(r.Settings);
    }

    [Fact]
    public void RecorderPutsTimeInThePhaseItWasSpentInAndSummarisesTheLastSteps()
    {
        using var model = new DsaNet("dsa", Ablations.Get("single-frame").Apply(ModelPresets.CpuSmall));
        using var clock = new ForwardSplitClock(model);
        var recorder = new TrainStepRecorder(clock);
        void Step(int sleepInBackwardMs, bool collect)
        {
            recorder.Begin();
            recorder.Mark();                                   // zero_grad
            recorder.Mark();                                   // forward
            recorder.Mark();                                   // loss
            if (sleepInBackwardMs > 0) Thread.Sleep(sleepInBackwardMs);
            if (collect) GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            recorder.Mark();                                   // backward
            recorder.Mark();                                   // optimizer
            recorder.Mark();                                   // item
            recorder.End();
        }
        Step(0, false);
        Step(0, false);
        Step(30, true);
        Assert.Equal(3, recorder.Recorded);
        // Only the last step counts: its sleep (a lower bound, whatever the load) and its full collection.
        var last = recorder.Summarise(1);
        Assert.True(last.BackwardSeconds >= 0.030, $"backward {last.BackwardSeconds}");
        Assert.True(last.Gen2Collections >= 1);
        Assert.True(last.PhaseSum <= last.StepSeconds + Rounding);
        // No forward ran, so the hooks saw nothing: the forward's parts are unknown, not zero.
        Assert.Null(last.BackboneSeconds);
        Assert.Null(last.HeadSeconds);
        Assert.Null(last.AlignmentSeconds);
        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Summarise(4));

        recorder.Begin();
        for (int i = 0; i < 6; i++) recorder.Mark();
        Assert.Throws<InvalidOperationException>(recorder.Mark);
        recorder.Begin();
        recorder.Mark();
        Assert.Throws<InvalidOperationException>(recorder.End);
    }

    [Fact]
    public void ReportJsonRoundTripsAndOldFilesStillRead()
    {
        var profile = new TrainStepProfile(0.001, 0.2, 0.002, 0.4, 0.01, 0.0001, 0.62, 0.1, 0.08, 0.02, TrainStepProfile.HooksInForward, 3, 1, 0, 0.004);
        var settings = new TrainRuntimeSettings(2, 2, true, false, "off (probe)", "contiguous", "contiguous", "contiguous", "OpenMP", "AVX512", "mkl",
            "ATen/Parallel:\n\tat::get_num_threads() : 2\n", "PyTorch built with:\n", false, true, "Interactive");
        var ours = new TrainBenchmarkResult("ts", "a", [16, 5, 3, 128, 96], 100, 100, 3, 0.63, 0.6, 25.4, 300L << 20, true, 2, profile, settings);
        var theirs = ours with
        {
            Implementation = "pt",
            MedianSeconds = 1.26,
            Profile = profile with { ForwardSeconds = 0.4, AlignmentSeconds = null, Gen0Collections = null, Gen1Collections = null, Gen2Collections = null, GcPauseSeconds = null },
            Settings = settings with { InterOpThreads = 1, GcServer = null, GcConcurrent = null, GcLatencyMode = null },
        };
        var report = TrainBenchmarkReport.Create("rt", 2, 1.0, [ours], [theirs]);
        Assert.Equal(0.5, report.PhaseRatio!["a"]["forward"], 12);
        Assert.False(report.PhaseRatio["a"].ContainsKey("alignment")); // PyTorch's side lacks it

        string json = JsonSerializer.Serialize(report, TrainBenchmark.JsonOptions);
        using (var doc = JsonDocument.Parse(json))
        {
            var first = doc.RootElement.GetProperty("torchSharp")[0];
            Assert.Equal(0.2, first.GetProperty("profile").GetProperty("forwardSeconds").GetDouble());
            Assert.Equal("AVX512", first.GetProperty("settings").GetProperty("cpuCapability").GetString());
            Assert.Equal(0.5, doc.RootElement.GetProperty("phaseRatio").GetProperty("a").GetProperty("forward").GetDouble(), 12);
        }
        var back = JsonSerializer.Deserialize<TrainBenchmarkReport>(json, TrainBenchmark.JsonOptions)!;
        Assert.Equal(profile, back.TorchSharp[0].Profile);
        Assert.Equal(settings, back.TorchSharp[0].Settings);
        Assert.Equal(theirs.Profile, back.PyTorch![0].Profile);
        Assert.Equal(report.PhaseRatio["a"].OrderBy(x => x.Key), back.PhaseRatio!["a"].OrderBy(x => x.Key));

        // A file from before --profile: the new fields are absent and read as null.
        var old = JsonSerializer.Deserialize<TrainBenchmarkReport>(
            File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "bench", "results", "train-deform-compare-1thread.json")), TrainBenchmark.JsonOptions)!;
        Assert.NotEmpty(old.TorchSharp);
        Assert.All(old.TorchSharp, r => Assert.Null(r.Profile));
        Assert.Null(old.PhaseRatio);

        // The printed profile: one line per side and the ratio line, then the settings side by side.
        var lines = report.FormatProfile().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Matches(@"^a\s+TS\s+1\.0\s+200\.0\s+100\.0\s+80\.0\s+20\.0\s+2\.0\s+400\.0\s+10\.0\s+0\.1\s+613\.1\s+620\.0 \|\s+3/1/0\s+4\.0$", lines[2]);
        Assert.Matches(@"^\s+PT\s+1\.0\s+400\.0\s+100\.0\s+-\s+20\.0", lines[3]);
        Assert.Matches(@"^\s+TS/PT\s+1\.00\s+0\.50\s+1\.00\s+-\s+1\.00", lines[4]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^inter-op threads\s+2\s+1$"));
        Assert.Equal("", TrainBenchmarkReport.Create("rt", 2, null, [ours with { Profile = null, Settings = null }], null).FormatProfile());
    }

    [Fact]
    public void MemoryFormatIsReadFromTheStrides()
    {
        using var x = torch.randn(2, 3, 4, 5);                                   // NCHW
        using var nhwc = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // the same shape laid out NHWC
        using var t = torch.randn(3, 4).t();
        Assert.Equal(TensorMemoryFormat.Contiguous, TensorMemoryFormat.Describe(x));
        Assert.Equal(TensorMemoryFormat.ChannelsLast, TensorMemoryFormat.Describe(nhwc));
        Assert.Equal(TensorMemoryFormat.Strided, TensorMemoryFormat.Describe(t));
        using var sliced = x.narrow(3, 0, 2);
        Assert.Equal(TensorMemoryFormat.Strided, TensorMemoryFormat.Describe(sliced));
    }

    [Fact]
    public void BuildTextsAreParsedAsBothLibrariesWriteThem()
    {
        // Abridged from Debian's PyTorch 1.13 (torch.__config__.parallel_info() and .show()).
        const string parallel = "ATen/Parallel:\n\tat::get_num_threads() : 1\n\tat::get_num_interop_threads() : 1\nOpenMP 201511 (a.k.a. OpenMP 4.5)\n" +
            "MKL not found\nIntel(R) MKL-DNN v2.6.3 (Git Hash N/A)\nATen parallel backend: OpenMP\n";
        const string config = "PyTorch built with:\n  - GCC 12.2\n  - CPU capability usage: AVX2\n  - Build settings: BLAS_INFO=generic, BUILD_TYPE=RelWithDebInfo, " +
            "LAPACK_INFO=generic, TORCH_VERSION=1.13.0, USE_CUDA=OFF, \n";
        Assert.Equal("OpenMP", LibtorchBuildInfo.ParallelBackend(parallel));
        Assert.Equal("AVX2", LibtorchBuildInfo.CpuCapability(config));
        Assert.Equal("generic", LibtorchBuildInfo.BlasInfo(config));
        Assert.Equal("1.13.0", LibtorchBuildInfo.TorchVersion(config));
        Assert.Null(LibtorchBuildInfo.BlasInfo(null));
        Assert.Null(LibtorchBuildInfo.CpuCapability("nothing here"));
        // And the loaded libtorch's own texts say which version they come from.
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
            Assert.StartsWith("2.", LibtorchBuildInfo.TorchVersion(LibtorchBuildInfo.BuildConfig()));
    }

    [SkippableFact]
    public void PyTorchMirrorProfileParsesIntoTheSameFields()
    {
        const string python = "/usr/bin/python3";
        Skip.IfNot(DeformConvBenchmark.CanImportTorchvision(python), $"{python} cannot import torch and torchvision (apt-get install -y python3-torch python3-torchvision).");
        string script = Path.Combine(Fixtures.RepoRoot, "bench", "reference", "dsa_train_bench.py");
        using var dir = new TempDir();
        string cases = Path.Combine(dir.Path, "cases.json");
        var chosen = TrainBenchmarkCase.Defaults.Where(c => c.Name is "single-frame" or "dsa-frozen-backbone").ToList();
        File.WriteAllText(cases, TrainBenchmark.CasesJson(chosen));
        var results = TrainBenchmark.RunPyTorchReference(python, script, cases, batchSize: 1, steps: 1, warmup: 0, threads: 1, profile: true);
        Assert.Equal(chosen.Select(c => c.Name), results.Select(r => r.Case));
        foreach (var r in results)
        {
            var p = Assert.IsType<TrainStepProfile>(r.Profile);
            foreach (var (name, seconds) in p.Phases())
                Assert.True(seconds is null or >= 0, $"{r.Case}: {name} = {seconds}");
            Assert.Equal(r.Case != "single-frame", p.AlignmentSeconds is not null);
            Assert.NotNull(p.BackboneSeconds);
            Assert.NotNull(p.HeadSeconds);
            Assert.Equal(TrainStepProfile.HooksInForward, p.ForwardSplit);
            Assert.True(p.PhaseSum <= p.StepSeconds + Rounding);
            Assert.True(p.StepSeconds <= r.MedianSeconds + Rounding);
            Assert.True(p.PhaseSum >= r.MedianSeconds / 4, $"{r.Case}: phases {p.PhaseSum} s of a {r.MedianSeconds} s step");
            Assert.Null(p.Gen0Collections); // no .NET GC on that side

            var s = Assert.IsType<TrainRuntimeSettings>(r.Settings);
            Assert.Equal(1, s.IntraOpThreads);
            Assert.True(s.InterOpThreads >= 1);
            Assert.NotNull(s.MkldnnAvailable);
            Assert.Contains("ATen/Parallel", s.ParallelInfo);
            Assert.NotNull(s.CpuCapability);
            Assert.Equal(TensorMemoryFormat.Contiguous, s.InputMemoryFormat);
            Assert.NotNull(s.HeadInputMemoryFormat);
            Assert.Null(s.GcServer);
        }
        // The two sides' profiles meet in one report.
        var ours = results.Select(r => r with { Implementation = "ts" }).ToList();
        var report = TrainBenchmarkReport.Create("rt", 2, null, ours, results);
        Assert.Equal(1.0, report.PhaseRatio!["single-frame"]["forward"], 12);
    }
}
