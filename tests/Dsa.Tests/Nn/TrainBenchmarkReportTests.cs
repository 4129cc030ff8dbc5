using System.Diagnostics;
using System.Text.Json;
using Dsa.Benchmarks;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Nn;

/// <summary>The bookkeeping of `dsa bench train` and the architecture of its PyTorch mirror (no timing here).</summary>
public class TrainBenchmarkReportTests
{
    private static TrainBenchmarkResult Result(string implementation, string name, double median, long parameters = 100) =>
        new(implementation, name, new long[] { 16, 5, 3, 128, 96 }, parameters, parameters, 3, median, median, 16 / median, 300L << 20, true, 2);

    [Fact]
    public void RatioIsTorchSharpOverPyTorchPerCaseAndTheTableShowsBothSides()
    {
        var report = TrainBenchmarkReport.Create("rt", 2, 3.5, new[] { Result("ts", "a", 1.0), Result("ts", "b", 3.0) },
            new[] { Result("pt", "b", 2.0), Result("pt", "a", 4.0) });
        Assert.Equal(0.25, report.MedianRatio!["a"], 12);
        Assert.Equal(1.5, report.MedianRatio!["b"], 12);
        var lines = report.FormatTable().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("TS/PT time", lines[0]);
        // case a: 16 samples/s over 1.000 s here, 4.00 samples/s over 4.000 s in PyTorch, ratio 0.25.
        Assert.Matches(@"^a\s+100\s+16\.00\s+1\.000\s+300 \|\s+4\.00\s+4\.000\s+300 \|\s+0\.25\s*$", lines[1].TrimEnd('\r'));
        var alone = TrainBenchmarkReport.Create("rt", 2, null, new[] { Result("ts", "a", 1.0) }, null);
        Assert.Null(alone.MedianRatio);
        Assert.Matches(@"^a\s+100\s+16\.00\s+1\.000\s+300 \|\s+-\s+-\s+- \|\s+-\s*$", alone.FormatTable().Split('\n')[1].TrimEnd('\r'));
    }

    [Fact]
    public void DeformRatioIsOursOverTheGridSampleRoutePerCase()
    {
        var report = TrainBenchmarkReport.Create("rt", 2, null, new[] { Result("ts", "a", 1.0), Result("ts", "b", 3.0) }, null,
            new[] { Result("ts, deformable convolutions: GridSample", "b", 4.0), Result("ts, deformable convolutions: GridSample", "a", 2.0) });
        Assert.Equal(0.5, report.MedianRatioToGridSampleDeform!["a"], 12);
        Assert.Equal(0.75, report.MedianRatioToGridSampleDeform!["b"], 12);
        Assert.Null(report.MedianRatio);
        Assert.Null(TrainBenchmarkReport.Create("rt", 2, null, new[] { Result("ts", "a", 1.0) }, null).MedianRatioToGridSampleDeform);
    }

    [Fact]
    public void MissingCaseOrADifferentParameterCountIsAnError()
    {
        var missing = Assert.Throws<InvalidDataException>(() =>
            TrainBenchmarkReport.Create("rt", 2, null, new[] { Result("ts", "dsa-complete", 1.0) }, new[] { Result("pt", "other", 1.0) }));
        Assert.Contains("dsa-complete", missing.Message);
        var different = Assert.Throws<InvalidDataException>(() =>
            TrainBenchmarkReport.Create("rt", 2, null, new[] { Result("ts", "a", 1.0, 100) }, new[] { Result("pt", "a", 1.0, 99) }));
        Assert.Contains("99", different.Message);
    }

    [Fact]
    public void CasesFileHoldsEachModelConfigAndItsParameterCounts()
    {
        using var doc = JsonDocument.Parse(TrainBenchmark.CasesJson(TrainBenchmarkCase.Defaults));
        var cases = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(new[] { "dsa-complete", "single-frame", "dsa-frozen-backbone" }, cases.Select(c => c.GetProperty("case").GetString()));
        foreach (var (c, expected) in cases.Zip(TrainBenchmarkCase.Defaults))
        {
            // The config reads back as the same model (enums as names, camelCase) ...
            var model = c.GetProperty("model").Deserialize<ModelConfig>(TrainBenchmark.JsonOptions)!;
            Assert.Equal(expected.Model.SupportOffsets, model.SupportOffsets);
            Assert.Equal(expected.Model.Backbone, model.Backbone);
            Assert.Equal(expected.Model.FreezeBackbone, model.FreezeBackbone);
            Assert.Equal("SymmetricUNet", c.GetProperty("model").GetProperty("alignment").GetString());
            // ... and the counts are that model's.
            var (all, trainable) = TrainBenchmark.CountParameters(model);
            Assert.Equal(all, c.GetProperty("parameters").GetInt64());
            Assert.Equal(trainable, c.GetProperty("trainableParameters").GetInt64());
        }
        Assert.True(cases[2].GetProperty("trainableParameters").GetInt64() < cases[2].GetProperty("parameters").GetInt64());
        Assert.True(cases[1].GetProperty("parameters").GetInt64() < cases[0].GetProperty("parameters").GetInt64());
    }

    [SkippableFact]
    public void PyTorchMirrorBuildsTheSameArchitecture()
    {
        const string python = "/usr/bin/python3";
        Skip.IfNot(DeformConvBenchmark.CanImportTorchvision(python), $"{python} cannot import torch and torchvision (apt-get install -y python3-torch python3-torchvision).");
        string script = Path.Combine(Fixtures.RepoRoot, "bench", "reference", "dsa_train_bench.py");
        using var dir = new TempDir();
        string cases = Path.Combine(dir.Path, "cases.json");
        File.WriteAllText(cases, TrainBenchmark.CasesJson(TrainBenchmarkCase.Defaults));
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, "--cases", cases, "--check-only" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{script} exited with {process.ExitCode}: {stderr}");
        Assert.Equal(TrainBenchmarkCase.Defaults.Count, stdout.Result.Split('\n').Count(l => l.Contains("(equal)")));
    }
}
