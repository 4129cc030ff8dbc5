namespace Dsa.Visualization;

/// <summary>
/// One ablation setting's result: mean and standard deviation over repeated runs (seeds), and
/// the paper's number for that row where it reports one (Tables 4-5).
/// </summary>
public sealed record AblationBar(string Name, double Mean, double Std, double? PaperValue = null);
