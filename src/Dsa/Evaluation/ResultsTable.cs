using Dsa.Data;
using Microsoft.Data.Analysis;

namespace Dsa.Evaluation;

/// <summary>
/// Results in the paper's layout (Tables 1-3): one row per method, columns Method, Head, Shoulder,
/// Elbow, Wrist, Hip, Knee, Ankle, mAP, as a Microsoft.Data.Analysis <see cref="DataFrame"/>
/// (missing values, the paper's "-", are nulls). Values in percent, unrounded.
/// </summary>
public sealed class ResultsTable
{
    public const string MethodColumn = "Method";
    public const string MapColumn = "mAP";

    private readonly StringDataFrameColumn _method = new(MethodColumn, 0);
    private readonly Dictionary<string, DoubleDataFrameColumn> _values = new();

    public ResultsTable()
    {
        var columns = new List<DataFrameColumn> { _method };
        foreach (string name in Skeleton.ReportColumns.Append(MapColumn))
        {
            var column = new DoubleDataFrameColumn(name, 0);
            _values[name] = column;
            columns.Add(column);
        }
        Frame = new DataFrame(columns);
    }

    /// <summary>The table; its rows are in the order they were added.</summary>
    public DataFrame Frame { get; }

    /// <summary>Column names in order: Method, Head ... Ankle, mAP.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } = new[] { MethodColumn }.Concat(Skeleton.ReportColumns).Append(MapColumn).ToArray();

    public long RowCount => Frame.Rows.Count;

    /// <summary>A measured row (poseval's AP, PCKh, ...): its columns and Total (NaN becomes a missing value).</summary>
    public ResultsTable AddRow(string method, IJointScores result) =>
        AddRow(method, result.Columns.ToDictionary(kv => kv.Key, kv => Finite(kv.Value)), Finite(result.Total));

    /// <summary>A row of the paper.</summary>
    public ResultsTable AddRow(PaperRow row) => AddRow(row.Method, row.Columns, row.Map);

    /// <summary>A row from values; a column absent from <paramref name="columns"/> is missing.</summary>
    public ResultsTable AddRow(string method, IReadOnlyDictionary<string, double?> columns, double? map)
    {
        foreach (string key in columns.Keys)
            if (!_values.ContainsKey(key) || key == MapColumn)
                throw new ArgumentException($"'{key}' is not one of the columns {string.Join(", ", Skeleton.ReportColumns)}.", nameof(columns));
        var row = new List<KeyValuePair<string, object?>> { new(MethodColumn, method) };
        foreach (string c in Skeleton.ReportColumns)
            row.Add(new(c, columns.TryGetValue(c, out var v) ? v : null));
        row.Add(new(MapColumn, map));
        Frame.Append(row!, inPlace: true);
        return this;
    }

    /// <summary>The value of a method's column (the first row of that method); null when missing.</summary>
    public double? this[string method, string column]
    {
        get
        {
            for (long r = 0; r < Frame.Rows.Count; r++)
                if ((string?)_method[r] == method) return _values[column][r];
            throw new KeyNotFoundException($"No row for method '{method}'.");
        }
    }

    private static double? Finite(double v) => double.IsNaN(v) ? null : v;
}
