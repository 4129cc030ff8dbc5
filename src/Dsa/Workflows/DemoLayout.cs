namespace Dsa.Workflows;

/// <summary>
/// The folders and files `dsa demo` writes under its root (runs/demo by default), named once for the library, the
/// command line and the notebooks: a run folder per stage, results.json, report.html.
/// </summary>
public sealed record DemoLayout(string Root)
{
    /// <summary>The default root, relative to the repository.</summary>
    public const string DefaultRoot = "runs/demo";

    /// <summary>Stage 1 (only with --from-scratch): the single-frame model pretrained here.</summary>
    public RunFolder Pretrain => RunFolder.At(Path.Combine(Root, "pretrain"));
    /// <summary>Stage 2: DSA warm-started from the single-frame model.</summary>
    public RunFolder Dsa => RunFolder.At(Path.Combine(Root, "dsa"));
    /// <summary>Stage 3: the single-frame baseline trained as many steps.</summary>
    public RunFolder Baseline => RunFolder.At(Path.Combine(Root, "baseline"));
    /// <summary>Stage 4: the ground-truth-flow diagnostic (<see cref="DemoOptions.GroundTruthFlow"/>).</summary>
    public RunFolder GroundTruthFlow => RunFolder.At(Path.Combine(Root, "ground-truth-flow"));
    /// <summary>results.json (<see cref="DemoResultsFile"/>).</summary>
    public string Results => Path.Combine(Root, DemoResultsFile.FileName);
    /// <summary>report.html (Reports.DemoReport).</summary>
    public string Report => Path.Combine(Root, "report.html");

}
