namespace Dsa.Data.Synthetic;

/// <summary>A motion regime in numbers: median and p90 of the joint displacement (heatmap pixels) at d = ±1 and ±2.</summary>
public sealed record MotionRegime(string Source, double Median1, double P90At1, double Median2, double P90At2);
