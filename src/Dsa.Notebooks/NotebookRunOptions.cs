namespace Dsa.Notebooks;

/// <summary>How to run a notebook.</summary>
/// <param name="Parameters">Papermill-style values injected after the "parameters" cell, in order.</param>
/// <param name="CellTimeout">Limit per cell (papermill's --execution-timeout is per cell too); null: none.</param>
public sealed record NotebookRunOptions(IReadOnlyList<KeyValuePair<string, string>> Parameters, TimeSpan? CellTimeout)
{
    /// <summary>How much stream text each cell keeps (see <see cref="StreamOutputLimit"/>).</summary>
    public StreamOutputLimit StreamLimit { get; init; } = StreamOutputLimit.Default;

    public static NotebookRunOptions Default { get; } = new([], null);
}
