namespace Dsa.Nn;

/// <summary>One row of the paper's ablation tables, as a change to a base configuration.</summary>
/// <param name="Key">Short id used on the command line (<c>--rows complete,no-gab</c>).</param>
/// <param name="PaperRow">The row's name in the paper's Table 4 / 5.</param>
/// <param name="PaperMap">The paper's PoseTrack2017 val mAP for that row; null where the paper has no such row.</param>
public sealed record AblationRow(string Key, string PaperRow, double? PaperMap, Func<ModelConfig, ModelConfig> Apply);

/// <summary>
/// The rows of Tables 4 and 5 (DSA-READING.md, "Ablation switches") plus the single-frame baseline the
/// paper lacks. Each is a pure configuration difference from the base preset.
/// </summary>
public static class Ablations
{
    public static IReadOnlyList<AblationRow> All { get; } = new AblationRow[]
    {
        new("complete", "DSA, complete", 77.8, c => c),
        new("two-frames", "Two neighboring frames", 75.9, c => c with { SupportOffsets = new[] { -1, 1 } }),
        new("six-frames", "Six neighboring frames", 77.5, c => c with { SupportOffsets = new[] { -3, -2, -1, 1, 2, 3 } }),
        new("gab-regular-conv", "GAB with regular convolution layer", 77.2, c => c with { Gab = c.Gab with { Deformable = false } }),
        // The paper's Table 4 says "r/m HAM" and "r/m LEM"; its text makes clear these are GAB and LEB.
        new("no-gab", "r/m HAM (GAB)", 74.3, c => c with { UseGab = false }),
        new("no-leb", "r/m LEM (LEB)", 76.5, c => c with { UseLeb = false }),
        new("no-alignment", "r/m alignment", 72.6, c => c with { Alignment = AlignmentMode.None }),
        new("no-unet", "r/m U-Net-like architecture", 75.9, c => c with { Alignment = AlignmentMode.Cascade }),
        new("single-frame", "single-frame baseline (not in the paper)", null, c => c with { SupportOffsets = Array.Empty<int>() }),
    };

    /// <summary>
    /// Rows that are not in the paper and not in "all": diagnostics that need annotations at evaluation time.
    /// "ground-truth-flow": the supporting features warped by the annotated joints' true motion (no learned alignment),
    /// what alignment is worth when it is right; "ground-truth-translation": each supporting frame shifted as a whole by
    /// the person's mean motion, what a global alignment per person is worth.
    /// </summary>
    public static IReadOnlyList<AblationRow> Diagnostics { get; } = new AblationRow[]
    {
        new("ground-truth-flow", "alignment by the annotated motion (a diagnostic, not in the paper)", null,
            c => c with { Alignment = AlignmentMode.GroundTruthFlow }),
        new("ground-truth-translation", "shift by the person's mean annotated motion (a diagnostic, not in the paper)", null,
            c => c with { Alignment = AlignmentMode.GroundTruthTranslation }),
    };

    /// <summary>Every row a grid may hold: the paper's and single-frame (<see cref="All"/>), then the diagnostics.</summary>
    public static IReadOnlyList<AblationRow> Known { get; } = All.Concat(Diagnostics).ToList();

    public static AblationRow Get(string key) =>
        Known.FirstOrDefault(r => r.Key == key)
        ?? throw new ArgumentException($"Unknown ablation row '{key}'. Known rows: {string.Join(", ", Known.Select(r => r.Key))}.");

    /// <summary>Parses "all" or a comma-separated list of row keys.</summary>
    public static IReadOnlyList<AblationRow> Parse(string rows) =>
        rows.Trim() == "all" ? All : rows.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Get).ToList();
}
