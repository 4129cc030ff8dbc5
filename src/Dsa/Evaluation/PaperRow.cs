namespace Dsa.Evaluation;

/// <summary>One row of one of the paper's result tables, as printed (null where the paper prints "-").</summary>
/// <param name="Table">Which table: "Table 1 (PoseTrack2017 val)" ...</param>
/// <param name="Method">The method as the paper names it, with its citation.</param>
/// <param name="Columns">Head, Shoulder, Elbow, Wrist, Hip, Knee, Ankle; null where not given.</param>
/// <param name="Map">The mAP column.</param>
public sealed record PaperRow(string Table, string Method, IReadOnlyDictionary<string, double?> Columns, double Map);
