using System.Globalization;
using Dsa.Nn;

namespace Dsa.Workflows;

/// <summary>
/// Committed ablation results (results/ablations/cells.csv, written by <see cref="AblationRunner.Save"/> through
/// `dsa ablate collect --out`): one line per (row, seed). What the README table and notebook 08 read.
/// </summary>
public sealed record AblationResults(string Path, IReadOnlyList<(string Row, int Seed, double Map)> Cells)
{
    /// <summary>One row's mAP minus complete DSA's, with the standard error of that difference.</summary>
    /// <param name="Std">sqrt(s_row²/n_row + s_complete²/n_complete) with sample standard deviations (0 for one seed).</param>
    /// <param name="PaperDifference">The paper's row minus its complete DSA (Tables 4-5), where the paper has the row.</param>
    public sealed record Difference(string Row, int Seeds, double Mean, double Std, double? PaperDifference);

    public static AblationResults Read(string dir)
    {
        var path = System.IO.Path.Combine(dir, "cells.csv");
        if (!File.Exists(path)) throw new AblationResultsMissingException(dir, path);
        var lines = File.ReadAllLines(path);
        var header = lines.Length > 0 ? lines[0].Split(',') : [];
        int Column(string name) => Array.IndexOf(header, name) is >= 0 and var i ? i : throw new InvalidDataException($"{path}: no column '{name}' in the header.");
        int row = Column("row"), seed = Column("seed"), map = Column("mAP");
        var cells = new List<(string, int, double)>();
        for (int n = 1; n < lines.Length; n++)
        {
            if (lines[n].Length == 0) continue;
            var f = lines[n].Split(',');
            if (f.Length != header.Length) throw new InvalidDataException($"{path}: line {n + 1} has {f.Length} fields; the header has {header.Length}.");
            if (!Ablations.Known.Any(r => r.Key == f[row])) throw new InvalidDataException($"{path}: line {n + 1}: field 'row' = '{f[row]}' is not an ablation row.");
            if (!int.TryParse(f[seed], NumberStyles.Integer, CultureInfo.InvariantCulture, out int s)) throw new InvalidDataException($"{path}: line {n + 1}: field 'seed' = '{f[seed]}' is not an integer.");
            if (!double.TryParse(f[map], NumberStyles.Float, CultureInfo.InvariantCulture, out double m) || !double.IsFinite(m))
                throw new InvalidDataException($"{path}: line {n + 1}: field 'mAP' = '{f[map]}' is not a finite number.");
            cells.Add((f[row], s, m));
        }
        if (cells.Count == 0) throw new InvalidDataException($"{path}: no cells.");
        return new AblationResults(path, cells);
    }

    /// <summary>Every row but complete DSA, in <see cref="Ablations.Known"/>'s order, as its difference from complete DSA.</summary>
    public IReadOnlyList<Difference> DifferencesFromComplete()
    {
        var complete = Ablations.Get("complete");
        var (cm, cs, cn) = Stats("complete");
        if (cn == 0) throw new InvalidDataException($"{Path}: no 'complete' cells to compare the rows with.");
        return Ablations.Known.Where(r => r.Key != "complete" && Cells.Any(c => c.Row == r.Key)).Select(r =>
        {
            var (m, s, n) = Stats(r.Key);
            return new Difference(r.Key, n, m - cm, Math.Sqrt(s * s / n + cs * cs / cn),
                r.PaperMap is { } p && complete.PaperMap is { } pc ? p - pc : null);
        }).ToList();
    }

    /// <summary>Mean, sample standard deviation and seed count of one row's mAP.</summary>
    public (double Mean, double Std, int Seeds) Stats(string row)
    {
        var v = Cells.Where(c => c.Row == row).Select(c => c.Map).ToArray();
        if (v.Length == 0) return (double.NaN, double.NaN, 0);
        double m = v.Average();
        return (m, v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1)) : 0, v.Length);
    }
}
