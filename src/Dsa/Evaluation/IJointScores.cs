namespace Dsa.Evaluation;

/// <summary>
/// A result in the paper's table layout: one value per report column (Head, Shoulder, ..., Ankle) and the mean over
/// the joints. <see cref="ResultsTable"/> turns any of them into a row.
/// </summary>
public interface IJointScores
{
    /// <summary>Per joint, in the skeleton's id order, in percent.</summary>
    IReadOnlyList<double> PerJoint { get; }
    /// <summary>The paper's columns.</summary>
    IReadOnlyDictionary<string, double> Columns { get; }
    /// <summary>The mean of the non-NaN per-joint values (the tables' mAP).</summary>
    double Total { get; }
}
