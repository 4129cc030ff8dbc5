namespace Dsa.Workflows;

/// <summary>Mean and sample standard deviation over seeds of one ablation row.</summary>
public sealed record AblationSummaryRow(
    string Row,
    string PaperRow,
    double? PaperMap,
    int Seeds,
    IReadOnlyDictionary<string, double> Mean,
    IReadOnlyDictionary<string, double> Std);
