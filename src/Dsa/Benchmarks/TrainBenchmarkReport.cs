using System.Globalization;
using System.Text;

namespace Dsa.Benchmarks;

/// <summary>
/// What `dsa bench train --json` writes: this project's training throughput, the PyTorch mirror's on the
/// same cases when it ran (--compare), and per case the ratio of TorchSharp's to PyTorch's median step time; with
/// --compare-deform also the same models with their deformable convolutions on the grid_sample route (steps alternating
/// with ours) and per case the ratio of ours to those.
/// </summary>
/// <param name="LoadAverage">/proc/loadavg's 1-minute value when the run started (the machine may be shared).</param>
/// <param name="PhaseRatio">With --profile and --compare: per case, per phase (<see cref="TrainStepProfile.Phases"/>), TorchSharp's
/// median over PyTorch's; a phase either side lacks is left out.</param>
public sealed record TrainBenchmarkReport(
    string Runtime,
    int ProcessorCount,
    double? LoadAverage,
    IReadOnlyList<TrainBenchmarkResult> TorchSharp,
    IReadOnlyList<TrainBenchmarkResult>? PyTorch,
    IReadOnlyDictionary<string, double>? MedianRatio,
    IReadOnlyList<TrainBenchmarkResult>? GridSampleDeform = null,
    IReadOnlyDictionary<string, double>? MedianRatioToGridSampleDeform = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? PhaseRatio = null)
{
    public static TrainBenchmarkReport Create(string runtime, int processorCount, double? loadAverage,
        IReadOnlyList<TrainBenchmarkResult> ours, IReadOnlyList<TrainBenchmarkResult>? reference,
        IReadOnlyList<TrainBenchmarkResult>? gridSampleDeform = null)
    {
        Dictionary<string, double>? deformRatio = null;
        if (gridSampleDeform is not null)
        {
            deformRatio = new Dictionary<string, double>();
            foreach (var r in ours)
            {
                var match = gridSampleDeform.FirstOrDefault(x => x.Case == r.Case)
                    ?? throw new InvalidDataException($"grid_sample-route results lack case '{r.Case}'.");
                deformRatio[r.Case] = r.MedianSeconds / match.MedianSeconds;
            }
        }
        Dictionary<string, double>? ratio = null;
        if (reference is not null)
        {
            ratio = new Dictionary<string, double>();
            foreach (var r in ours)
            {
                var match = reference.FirstOrDefault(x => x.Case == r.Case)
                    ?? throw new InvalidDataException($"PyTorch reference results lack case '{r.Case}' (have: {string.Join(", ", reference.Select(x => x.Case))}).");
                if (match.Parameters != r.Parameters)
                    throw new InvalidDataException($"case '{r.Case}': the PyTorch mirror has {match.Parameters} parameters, TorchSharp {r.Parameters}: not the same architecture.");
                ratio[r.Case] = r.MedianSeconds / match.MedianSeconds;
            }
        }
        return new TrainBenchmarkReport(runtime, processorCount, loadAverage, ours, reference, ratio, gridSampleDeform, deformRatio,
            PhaseRatios(ours, reference));
    }

    private static Dictionary<string, IReadOnlyDictionary<string, double>>? PhaseRatios(
        IReadOnlyList<TrainBenchmarkResult> ours, IReadOnlyList<TrainBenchmarkResult>? reference)
    {
        if (reference is null || !ours.Any(r => r.Profile is not null)) return null;
        var ratios = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        foreach (var r in ours)
        {
            var p = reference.FirstOrDefault(x => x.Case == r.Case)?.Profile;
            if (r.Profile is null || p is null) continue;
            var theirs = p.Phases().ToDictionary(x => x.Name, x => x.Seconds);
            ratios[r.Case] = r.Profile.Phases()
                .Where(x => x.Seconds is not null && theirs[x.Name] is > 0)
                .ToDictionary(x => x.Name, x => x.Seconds!.Value / theirs[x.Name]!.Value);
        }
        return ratios;
    }

    /// <summary>
    /// With --profile: per case one line per implementation, each phase's median in milliseconds (and, with --compare, their
    /// ratio), the GC's collections and pause on our side; then the settings the two ran under, side by side. Empty when
    /// nothing was profiled.
    /// </summary>
    public string FormatProfile()
    {
        if (!TorchSharp.Any(r => r.Profile is not null)) return "";
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        const string Row = "{0,-20} {1,-5} {2,8} {3,8} {4,8} {5,8} {6,8} {7,8} {8,8} {9,8} {10,8} {11,8} {12,8} | {13,9} {14,8}";
        s.AppendLine("median ms per phase; forward = backbone + alignment + head (+ a remainder); sum = zero_grad .. item; step = the whole profiled step");
        s.AppendLine(string.Format(c, Row, "case", "side", "zerograd", "forward", "backbone", "align", "head", "loss", "backward",
            "adam", "item", "sum", "step", "GC 0/1/2", "GC ms"));
        string Ms(double? v, string format = "F1") => v is double d ? (1000 * d).ToString(format, c) : "-";
        string Ratio(double? v) => v is double d ? d.ToString("F2", c) : "-";
        foreach (var r in TorchSharp.Where(r => r.Profile is not null))
        {
            var o = r.Profile!;
            s.AppendLine(string.Format(c, Row, r.Case, "TS", Ms(o.ZeroGradSeconds), Ms(o.ForwardSeconds), Ms(o.BackboneSeconds), Ms(o.AlignmentSeconds),
                Ms(o.HeadSeconds), Ms(o.LossSeconds), Ms(o.BackwardSeconds), Ms(o.OptimizerSeconds), Ms(o.ItemSeconds), Ms(o.PhaseSum),
                Ms(o.StepSeconds), $"{o.Gen0Collections}/{o.Gen1Collections}/{o.Gen2Collections}", Ms(o.GcPauseSeconds)));
            var p = PyTorch?.FirstOrDefault(x => x.Case == r.Case)?.Profile;
            if (p is null) continue;
            s.AppendLine(string.Format(c, Row, "", "PT", Ms(p.ZeroGradSeconds), Ms(p.ForwardSeconds), Ms(p.BackboneSeconds), Ms(p.AlignmentSeconds),
                Ms(p.HeadSeconds), Ms(p.LossSeconds), Ms(p.BackwardSeconds), Ms(p.OptimizerSeconds), Ms(p.ItemSeconds), Ms(p.PhaseSum),
                Ms(p.StepSeconds), "-", "-"));
            if (PhaseRatio is not null && PhaseRatio.TryGetValue(r.Case, out var q))
            {
                double? Q(string phase) => q.TryGetValue(phase, out var v) ? v : null;
                double? sum = p.PhaseSum > 0 ? o.PhaseSum / p.PhaseSum : null;
                s.AppendLine(string.Format(c, Row, "", "TS/PT", Ratio(Q("zeroGrad")), Ratio(Q("forward")), Ratio(Q("backbone")), Ratio(Q("alignment")),
                    Ratio(Q("head")), Ratio(Q("loss")), Ratio(Q("backward")), Ratio(Q("optimizer")), Ratio(Q("item")), Ratio(sum), Ratio(Q("step")), "", ""));
            }
        }
        var ours = TorchSharp.FirstOrDefault(r => r.Settings is not null)?.Settings;
        var theirs = PyTorch?.FirstOrDefault(r => r.Settings is not null)?.Settings;
        if (ours is null && theirs is null) return s.ToString();
        const string SettingRow = "{0,-28} {1,-40} {2}";
        s.AppendLine();
        s.AppendLine(string.Format(c, SettingRow, "setting", "TorchSharp", theirs is null ? "" : "PyTorch"));
        foreach (var (name, value) in new (string, Func<TrainRuntimeSettings, string?>)[]
        {
            ("intra-op threads", x => x.IntraOpThreads.ToString(c)),
            ("inter-op threads", x => x.InterOpThreads.ToString(c)),
            ("ATen parallel backend", x => x.ParallelBackend),
            ("oneDNN built in", x => x.MkldnnAvailable?.ToString()),
            ("oneDNN convolutions", x => x.MkldnnEnabled ? "on" : "off"),
            ("CPU capability", x => x.CpuCapability),
            ("BLAS", x => x.BlasInfo),
            ("memory format in/head/out", x => $"{x.InputMemoryFormat ?? "?"} / {x.HeadInputMemoryFormat ?? "?"} / {x.OutputMemoryFormat ?? "?"}"),
            (".NET GC", x => x.GcServer is null ? null : $"{(x.GcServer == true ? "server" : "workstation")}, {(x.GcConcurrent == true ? "concurrent" : "non-concurrent")}, {x.GcLatencyMode}"),
        })
            s.AppendLine(string.Format(c, SettingRow, name, (ours is null ? null : value(ours)) ?? "-", theirs is null ? "" : value(theirs) ?? "-"));
        if (ours?.OneDnnNote is string note) s.AppendLine($"oneDNN (TorchSharp): {note}");
        return s.ToString();
    }

    /// <summary>One line per case: both implementations side by side (samples/s, median step, peak RSS) and the time ratio.</summary>
    public string FormatTable()
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine(string.Format(c, "{0,-20} {1,10} {2,9} {3,9} {4,9} | {5,9} {6,9} {7,9} | {8,12}",
            "case", "params", "TS samp/s", "TS step s", "TS MiB", "PT samp/s", "PT step s", "PT MiB", "TS/PT time"));
        foreach (var r in TorchSharp)
        {
            var p = PyTorch?.FirstOrDefault(x => x.Case == r.Case);
            string Cell(double? v, string format) => v is double d ? d.ToString(format, c) : "-";
            s.AppendLine(string.Format(c, "{0,-20} {1,10} {2,9} {3,9} {4,9} | {5,9} {6,9} {7,9} | {8,12}",
                r.Case, r.Parameters, Cell(r.SamplesPerSecond, "F2"), Cell(r.MedianSeconds, "F3"), Cell(r.PeakResidentBytes / 1048576.0, "F0"),
                Cell(p?.SamplesPerSecond, "F2"), Cell(p?.MedianSeconds, "F3"), Cell(p is null ? null : p.PeakResidentBytes / 1048576.0, "F0"),
                Cell(MedianRatio is not null && MedianRatio.TryGetValue(r.Case, out var q) ? q : null, "F2")));
        }
        return s.ToString();
    }
}
