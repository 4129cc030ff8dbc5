namespace Dsa.Benchmarks;

/// <summary>Timing of reading and evaluating one GT / prediction folder pair with <see cref="Evaluation.PosetrackAp"/>.</summary>
/// <param name="Videos">GT files (videos).</param>
/// <param name="FramesEvaluated">Frames poseval's rules evaluate.</param>
/// <param name="Bytes">Size of all GT and prediction files read.</param>
/// <param name="Repeats">Timed runs; the first (cold: JIT, file cache) is reported apart.</param>
/// <param name="FirstReadSeconds">Reading both folders, first run.</param>
/// <param name="FirstEvaluateSeconds">Evaluating, first run.</param>
/// <param name="ReadMedianSeconds">Reading, median over the runs after the first (the first when only one).</param>
/// <param name="EvaluateMedianSeconds">Evaluating, median over the runs after the first.</param>
/// <param name="EvaluateMinSeconds">Evaluating, fastest run.</param>
/// <param name="ProcessorCount">Logical processors visible to the process (timings on a shared machine are upper bounds).</param>
/// <param name="Total">The mAP computed, to show the timed work was the real one.</param>
public sealed record EvalBenchmarkResult(
    string GtDir, string PredDir, int Videos, int FramesEvaluated, long Bytes, int Repeats,
    double FirstReadSeconds, double FirstEvaluateSeconds, double ReadMedianSeconds, double EvaluateMedianSeconds,
    double EvaluateMinSeconds, int ProcessorCount, double Total);
