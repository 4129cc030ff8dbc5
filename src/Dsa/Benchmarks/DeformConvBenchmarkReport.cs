namespace Dsa.Benchmarks;

/// <summary>
/// What `dsa bench deform --json` writes: this project's timings, torchvision's on the same cases
/// when it was run (--compare), and the per-case ratio ours / torchvision's median.
/// </summary>
public sealed record DeformConvBenchmarkReport(
    string Runtime,
    IReadOnlyList<DeformConvBenchmarkResult> TorchSharp,
    IReadOnlyList<DeformConvBenchmarkResult>? Torchvision,
    IReadOnlyDictionary<string, double>? MedianRatio)
{
    public static DeformConvBenchmarkReport Create(string runtime, IReadOnlyList<DeformConvBenchmarkResult> ours,
        IReadOnlyList<DeformConvBenchmarkResult>? reference)
    {
        Dictionary<string, double>? ratio = null;
        if (reference is not null)
        {
            ratio = new Dictionary<string, double>();
            foreach (var r in ours)
            {
                var match = reference.FirstOrDefault(x => x.Case == r.Case)
                    ?? throw new InvalidDataException($"torchvision reference results lack case '{r.Case}' (have: {string.Join(", ", reference.Select(x => x.Case))}).");
                ratio[r.Case] = r.MedianSeconds / match.MedianSeconds;
            }
        }
        return new DeformConvBenchmarkReport(runtime, ours, reference, ratio);
    }
}
