using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>
/// The paper's own numbers as data (Xv &amp; Wu, "Dense symmetric temporal alignment learning for
/// human pose estimation", PeerJ CS 2025, Tables 1-5, copied from its text), so a reproduction can be
/// shown beside them: <c>PaperResults.Table(PaperResults.PoseTrack17Val).AddRow("ours", result)</c>.
/// </summary>
public static class PaperResults
{
    public const string Table1 = "Table 1 (PoseTrack2017 val)";
    public const string Table2 = "Table 2 (PoseTrack2018 val)";
    public const string Table3 = "Table 3 (Badminton)";
    public const string Table4 = "Table 4 (ablation, PoseTrack2017 val)";
    public const string Table5 = "Table 5 (U-Net-like ablation, PoseTrack2017 val)";

    /// <summary>Table 1: per-joint AP and mAP on the PoseTrack 2017 validation set.</summary>
    public static IReadOnlyList<PaperRow> PoseTrack17Val { get; } = new[]
    {
        Row(Table1, "PoseTracker (Girdhar et al., 2018)", 67.5, 70.2, 62, 51.7, 60.7, 58.7, 49.8, 60.1),
        Row(Table1, "PoseFlow (Xiu et al., 2018)", 66.7, 73.3, 68.3, 61.1, 67.5, 67, 61.3, 66.5),
        Row(Table1, "JointFlow (Doering, Iqbal & Gall, 2018)", null, null, null, null, null, null, null, 69.3),
        Row(Table1, "FastPose (Zhang et al., 2019)", 80, 80.3, 69.5, 59.1, 71.4, 67.5, 59.4, 69.6),
        Row(Table1, "ResNet-50 (Zhang et al., 2020)", 81.7, 83.4, 80, 72.4, 75.3, 74.8, 67.1, 76.4),
        Row(Table1, "STEmbedding (Jin et al., 2019)", 83.8, 81.6, 77.1, 70, 77.4, 74.5, 70.8, 76.5),
        Row(Table1, "HRNet (Sun et al., 2019)", 82.1, 83.6, 80.4, 73.3, 75.5, 75.3, 68.5, 76.9),
        Row(Table1, "AlphaPose (Fang et al., 2023)", null, null, null, null, null, null, null, 76.9),
        Row(Table1, "DSA", 82.9, 84.2, 80.9, 73.6, 76.8, 76.2, 70.0, 77.8),
    };

    /// <summary>Table 2: per-joint AP and mAP on the PoseTrack 2018 validation set.</summary>
    public static IReadOnlyList<PaperRow> PoseTrack18Val { get; } = new[]
    {
        Row(Table2, "STAF (Raaj et al., 2019)", null, null, null, 64.7, null, null, 62.0, 70.4),
        Row(Table2, "AlphaPose (Fang et al., 2017)", 63.9, 78.7, 77.4, 71.0, 73.7, 73.0, 69.7, 72.5),
        Row(Table2, "TML++ (Hwang et al., 2019)", null, null, null, null, null, null, null, 74.6),
        Row(Table2, "MDPN (Guo et al., 2018)", 75.4, 81.2, 79.0, 74.1, 72.4, 73.0, 69.9, 75.0),
        Row(Table2, "PGPT (Bao et al., 2020)", null, null, null, 72.3, null, null, 72.2, 76.8),
        Row(Table2, "Dynamic-GNN (Yang et al., 2021)", 80.6, 84.5, 80.6, 74.4, 75.0, 76.7, 71.8, 77.6),
        Row(Table2, "AlphaPose (Fang et al., 2023)", null, null, null, null, null, null, null, 74.7),
        Row(Table2, "DSA", 81.5, 85.1, 81.4, 74.8, 75.6, 77.1, 72.3, 78.3),
    };

    /// <summary>Table 3: the authors' own badminton dataset (not public).</summary>
    public static IReadOnlyList<PaperRow> Badminton { get; } = new[]
    {
        Row(Table3, "CPM (Wei et al., 2016)", 70.1, 61.5, 69.0, 66.5, 55.6, 59.8, 51.2, 61.9),
        Row(Table3, "LSTM-PM (Luo et al., 2018)", 71.2, 63.5, 69.2, 67.0, 57.0, 61.2, 52.0, 63.0),
        Row(Table3, "ResNet-50 (Zhang et al., 2020)", 72.3, 71.0, 70.5, 69.8, 62.1, 66.4, 57.8, 67.1),
        Row(Table3, "HRNet (Sun et al., 2019)", 76.8, 73.2, 71.1, 70.5, 68.6, 69.8, 59.8, 70.3),
        Row(Table3, "DSA", 79.8, 78.5, 75.6, 71.2, 70.8, 72.3, 61.9, 72.8),
    };

    /// <summary>Table 4: component ablations (mAP only). "r/m HAM" / "r/m LEM" are the paper's words
    /// for removing GAB / LEB.</summary>
    public static IReadOnlyList<PaperRow> Ablation { get; } = new[]
    {
        MapOnly(Table4, "Two neighboring frames", 75.9),
        MapOnly(Table4, "Six neighboring frames", 77.5),
        MapOnly(Table4, "GAB with regular convolution layer", 77.2),
        MapOnly(Table4, "r/m HAM", 74.3),
        MapOnly(Table4, "r/m LEM", 76.5),
        MapOnly(Table4, "r/m alignment", 72.6),
        MapOnly(Table4, "DSA, complete", 77.8),
    };

    /// <summary>Table 5: the U-Net-like structure ablation (mAP only).</summary>
    public static IReadOnlyList<PaperRow> UNetAblation { get; } = new[]
    {
        MapOnly(Table5, "r/m U-Net-like architecture", 75.9),
        MapOnly(Table5, "DSA, complete", 77.8),
    };

    /// <summary>Every row of Tables 1-5.</summary>
    public static IEnumerable<PaperRow> All =>
        PoseTrack17Val.Concat(PoseTrack18Val).Concat(Badminton).Concat(Ablation).Concat(UNetAblation);

    /// <summary>A results table holding the given paper rows, to which measured rows can be added.</summary>
    public static ResultsTable Table(IEnumerable<PaperRow> rows)
    {
        var table = new ResultsTable();
        foreach (var row in rows) table.AddRow(row);
        return table;
    }

    private static PaperRow Row(string table, string method, double? head, double? shoulder, double? elbow, double? wrist,
        double? hip, double? knee, double? ankle, double map)
    {
        var values = new[] { head, shoulder, elbow, wrist, hip, knee, ankle };
        var columns = new Dictionary<string, double?>();
        for (int i = 0; i < values.Length; i++) columns[Skeleton.ReportColumns[i]] = values[i];
        return new PaperRow(table, method, columns, map);
    }

    private static PaperRow MapOnly(string table, string method, double map) =>
        Row(table, method, null, null, null, null, null, null, null, map);
}
