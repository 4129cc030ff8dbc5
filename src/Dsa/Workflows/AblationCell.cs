namespace Dsa.Training;

/// <summary>One trained-and-evaluated (row, seed) of an ablation grid: the paper's columns and mAP, in percent.</summary>
public sealed record AblationCell(string Row, int Seed, IReadOnlyDictionary<string, double> Columns, double Map, string RunDir, double Seconds);
