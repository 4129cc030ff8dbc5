using System.Diagnostics;
using System.Text.Json;
using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Benchmarks;

/// <summary>
/// Times forward + backward of <see cref="ModulatedDeformConv2d"/> with this project's two implementations side by side
/// (the C# im2col kernel, <see cref="DeformConvImplementation.Im2Col"/>, which CPU float32 calls take, and the
/// grid_sample route, <see cref="DeformConvImplementation.GridSample"/>, which everything else takes; their timed runs
/// alternate) and, for comparison, torchvision.ops.deform_conv2d via bench/reference/deform_conv2d_bench.py.
/// Median of N runs after warm-up; CPU.
/// </summary>
public static class DeformConvBenchmark
{
    public const string Implementation = "TorchSharp DeformConv im2col (C# kernel)";

    public const string GridSampleImplementation = "TorchSharp DeformConv grid_sample (libtorch autograd)";

    /// <summary>
    /// Runs every case; reports each finished result through <paramref name="progress"/>. Returns per case the im2col
    /// result, then (with <paramref name="gridSample"/>) the grid_sample route's, timed in alternation with it.
    /// </summary>
    /// <param name="threads">torch intra-op threads to set first (null: leave libtorch's default); both implementations use them.</param>
    public static IReadOnlyList<DeformConvBenchmarkResult> Run(IEnumerable<DeformConvBenchmarkCase> cases, int repeats, int warmup = 1,
        int? threads = null, IProgress<DeformConvBenchmarkResult>? progress = null, bool gridSample = true)
    {
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), $"threads must be >= 1; got {threads}.");
        if (threads is int n) torch.set_num_threads(n);
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), $"repeats must be >= 1; got {repeats}.");
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), $"warmup must be >= 0; got {warmup}.");
        var results = new List<DeformConvBenchmarkResult>();
        foreach (var c in cases)
            foreach (var result in RunCase(c, repeats, warmup, gridSample))
            {
                results.Add(result);
                progress?.Report(result);
            }
        return results;
    }

    private static IEnumerable<DeformConvBenchmarkResult> RunCase(DeformConvBenchmarkCase c, int repeats, int warmup, bool gridSample)
    {
        torch.manual_seed(0);
        using var conv = new ModulatedDeformConv2d("bench", c.Channels, c.OutChannels, (3, 3), padding: (1, 1));
        using var input = torch.randn(c.Batch, c.Channels, c.Height, c.Width);                                    // [B, C, H, W]
        using var offset = torch.randn(c.Batch, conv.OffsetChannels, c.Height, c.Width) * 2;                      // [B, 18, H, W]
        using var mask = torch.sigmoid(torch.randn(c.Batch, conv.MaskChannels, c.Height, c.Width));               // [B, 9, H, W]
        using var gradOutput = torch.randn(c.Batch, c.OutChannels, c.Height, c.Width);                            // [B, Cout, H, W]

        Action Step(DeformConvImplementation implementation) => () =>
        {
            using var scope = torch.NewDisposeScope();
            conv.Implementation = implementation;
            conv.zero_grad();
            var x = input.detach().requires_grad_(true);
            var o = offset.detach().requires_grad_(true);
            var m = mask.detach().requires_grad_(true);
            var y = conv.forward(x, o, m);
            y.backward(new[] { gradOutput });
        };

        var implementations = gridSample
            ? new[] { (Implementation, DeformConvImplementation.Im2Col), (GridSampleImplementation, DeformConvImplementation.GridSample) }
            : new[] { (Implementation, DeformConvImplementation.Im2Col) };
        var timings = StepTimer.MeasureAlternating(implementations.Select(i => Step(i.Item2)).ToList(), warmup, repeats);
        return implementations.Zip(timings, (i, t) => new DeformConvBenchmarkResult(i.Item1, c.Name, new[] { c.Batch, c.Channels, c.Height, c.Width },
            c.OutChannels, repeats, t.MedianSeconds, t.FastestSeconds, t.PeakResidentBytes ?? PeakResidentSet.Read(), t.PeakReset, torch.get_num_threads())).ToList();
    }

    /// <summary>
    /// Runs the torchvision reference script with <paramref name="python"/> on the same cases and
    /// parses its JSON (a list of results with the same fields).
    /// </summary>
    public static IReadOnlyList<DeformConvBenchmarkResult> RunTorchvisionReference(string python, string script,
        IEnumerable<DeformConvBenchmarkCase> cases, int repeats, int warmup = 1, int? threads = null)
    {
        var arguments = new List<string> { "--repeats", repeats.ToString(), "--warmup", warmup.ToString() };
        if (threads is int n) arguments.AddRange(new[] { "--threads", n.ToString() });
        foreach (var c in cases) arguments.AddRange(new[] { "--shape", $"{c.Name}={c.ToArgument()}" });
        return ReferenceScript.Run<DeformConvBenchmarkResult>(python, script, arguments, JsonOptions);
    }

    /// <summary>Whether <paramref name="python"/> exists and can import torchvision.</summary>
    public static bool CanImportTorchvision(string python)
    {
        try
        {
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import torchvision");
            using var process = Process.Start(start);
            if (process is null) return false;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>camelCase JSON (the reference script writes the same field names).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };
}
