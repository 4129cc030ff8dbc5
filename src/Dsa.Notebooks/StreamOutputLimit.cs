namespace Dsa.Notebooks;

/// <summary>
/// How much stream text (stdout, stderr) a notebook stores per cell. A cell that prints millions of
/// lines would otherwise make a notebook of gigabytes that no front end opens; Jupyter front ends cap
/// what they keep in the same way (VS Code's notebook.output.textLineLimit, JupyterLab's output
/// trimming), and say so.
/// </summary>
/// <param name="Lines">Lines kept per cell.</param>
/// <param name="Characters">Characters kept per cell.</param>
public sealed record StreamOutputLimit(long Lines, long Characters)
{
    /// <summary>10,000 lines or 5 million characters: every committed notebook fits with room to spare.</summary>
    public static StreamOutputLimit Default { get; } = new(10_000, 5_000_000);
}
