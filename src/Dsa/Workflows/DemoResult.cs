namespace Dsa.Workflows;

/// <summary>The three runs of `dsa demo` and its results file.</summary>
/// <param name="Pretrain">Single-frame model trained from scratch: the backbone both compared models start from (null when they
/// started from given weights, the shipped model).</param>
/// <param name="ResultsPath">runs/demo/results.json (<see cref="DemoResultsFile"/>).</param>
/// <param name="Dsa">DSA on the frozen pretrained backbone.</param>
/// <param name="Baseline">The single-frame model on the same frozen backbone, trained for the same steps.</param>
/// <param name="GroundTruthFlow">DSA's head on neighbours warped by the annotated motion, the same steps (a diagnostic; null when not asked for).</param>
public sealed record DemoResult(ExperimentResult? Pretrain, ExperimentResult Dsa, ExperimentResult Baseline, ExperimentResult? GroundTruthFlow, string ResultsPath)
{
    /// <summary>The compared runs under their results.json keys, in report order.</summary>
    public IReadOnlyList<(string Key, ExperimentResult Result)> Compared =>
        new[] { ("dsa", Dsa), ("baseline", Baseline) }.Concat(GroundTruthFlow is { } g ? [("ground_truth_flow", g)] : Array.Empty<(string, ExperimentResult)>()).ToList();
}
