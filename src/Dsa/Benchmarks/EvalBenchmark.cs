using System.Diagnostics;
using Dsa.Evaluation;

namespace Dsa.Benchmarks;

/// <summary>Times <see cref="PosetrackAp.ReadFolders"/> and <see cref="PosetrackAp.Evaluate"/> on a folder pair.</summary>
public static class EvalBenchmark
{
    public static EvalBenchmarkResult Run(string gtDir, string predDir, int repeats)
    {
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "at least one run");
        var read = new List<double>();
        var evaluate = new List<double>();
        ApResult? result = null;
        int videos = 0;
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            var (gt, pred) = PosetrackAp.ReadFolders(gtDir, predDir);
            read.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            result = PosetrackAp.Evaluate(gt, pred);
            evaluate.Add(clock.Elapsed.TotalSeconds);
            videos = gt.Count;
        }
        long bytes = Directory.GetFiles(gtDir, "*.json").Sum(f => new FileInfo(f).Length)
                     + Directory.GetFiles(gtDir, "*.json").Select(f => Path.Combine(predDir, Path.GetFileName(f))).Sum(f => new FileInfo(f).Length);
        return new EvalBenchmarkResult(Path.GetFullPath(gtDir), Path.GetFullPath(predDir), videos, result!.FramesEvaluated, bytes, repeats,
            read[0], evaluate[0], Median(read), Median(evaluate), evaluate.Min(), Environment.ProcessorCount, result.Total);
    }

    /// <summary>Median of the warm runs (all but the first), or the single run.</summary>
    private static double Median(List<double> runs) => StepTimer.Median(runs.Count > 1 ? runs.Skip(1) : runs);
}
