namespace Dsa.Benchmarks;

/// <summary>Inference throughput of one model over a dataset's samples, as `dsa predict` runs it (no augmentation).</summary>
/// <param name="Case">The model's name (an ablation row of the preset).</param>
/// <param name="Samples">Person samples predicted per timed pass (each one a key frame with its supporting frames).</param>
/// <param name="KeyFrames">Distinct key frames among them.</param>
/// <param name="FrameCount">Input frames per sample (key frame + supporting frames).</param>
/// <param name="MedianSeconds">Median of the timed passes: data loading, forward, decoding, back to image pixels.</param>
/// <param name="SamplesPerSecond">Samples / median.</param>
/// <param name="KeyFramesPerSecond">Key frames / median: the video frames per second `dsa predict` annotates.</param>
/// <param name="PeakResidentBytes">Peak resident memory of the process (VmHWM, reset before the timed passes where Linux allows).</param>
public sealed record PredictBenchmarkResult(string Case, long Parameters, int Samples, int KeyFrames, int FrameCount, int BatchSize, int TorchThreads,
    int Repeats, double MedianSeconds, double FastestSeconds, double SamplesPerSecond, double KeyFramesPerSecond, long PeakResidentBytes);
