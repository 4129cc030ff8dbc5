namespace Dsa.Benchmarks;

/// <summary>
/// What `dsa bench deform --json` writes: this project's timings (the im2col kernel, and the grid_sample route when it
/// was timed beside it), torchvision's on the same cases when it was run (--compare), and per case the ratios of the
/// im2col kernel's median to torchvision's and to the grid_sample route's.
/// </summary>
public sealed record DeformConvBenchmarkReport(
    string Runtime,
    IReadOnlyList<DeformConvBenchmarkResult> TorchSharp,
    IReadOnlyList<DeformConvBenchmarkResult>? Torchvision,
    IReadOnlyDictionary<string, double>? MedianRatio,
    IReadOnlyList<DeformConvBenchmarkResult>? GridSample = null,
    IReadOnlyDictionary<string, double>? MedianRatioToGridSample = null)
{
    /// <param name="runtime">TorchRuntime's description.</param>
    /// <param name="ours">The default implementation's results, one per case.</param>
    /// <param name="reference">torchvision's, or null.</param>
    /// <param name="gridSample">The grid_sample route's, timed in alternation with <paramref name="ours"/>, or null.</param>
    public static DeformConvBenchmarkReport Create(string runtime, IReadOnlyList<DeformConvBenchmarkResult> ours,
        IReadOnlyList<DeformConvBenchmarkResult>? reference, IReadOnlyList<DeformConvBenchmarkResult>? gridSample = null) =>
        new(runtime, ours, reference, Ratios(ours, reference, "torchvision reference"), gridSample, Ratios(ours, gridSample, "grid_sample"));

    private static Dictionary<string, double>? Ratios(IReadOnlyList<DeformConvBenchmarkResult> ours,
        IReadOnlyList<DeformConvBenchmarkResult>? other, string what)
    {
        if (other is null) return null;
        var ratio = new Dictionary<string, double>();
        foreach (var r in ours)
        {
            var match = other.FirstOrDefault(x => x.Case == r.Case)
                ?? throw new InvalidDataException($"{what} results lack case '{r.Case}' (have: {string.Join(", ", other.Select(x => x.Case))}).");
            ratio[r.Case] = r.MedianSeconds / match.MedianSeconds;
        }
        return ratio;
    }
}
