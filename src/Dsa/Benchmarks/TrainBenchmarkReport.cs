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
public sealed record TrainBenchmarkReport(
    string Runtime,
    int ProcessorCount,
    double? LoadAverage,
    IReadOnlyList<TrainBenchmarkResult> TorchSharp,
    IReadOnlyList<TrainBenchmarkResult>? PyTorch,
    IReadOnlyDictionary<string, double>? MedianRatio,
    IReadOnlyList<TrainBenchmarkResult>? GridSampleDeform = null,
    IReadOnlyDictionary<string, double>? MedianRatioToGridSampleDeform = null)
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
        return new TrainBenchmarkReport(runtime, processorCount, loadAverage, ours, reference, ratio, gridSampleDeform, deformRatio);
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
