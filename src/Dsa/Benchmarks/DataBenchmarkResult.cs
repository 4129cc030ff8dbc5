namespace Dsa.Benchmarks;

/// <summary>One measurement of <see cref="DataPipelineBenchmark"/>.</summary>
/// <param name="Mode">"single-thread" (built on the consumer's thread) or "prefetch" (background thread, parallel samples).</param>
/// <param name="FramesPerSample">Frames decoded and warped per sample (key + supporting).</param>
public sealed record DataBenchmarkResult(int InputWidth, int InputHeight, string Mode, int Workers, int FramesPerSample, int Samples,
    double Seconds, double SamplesPerSecond);
