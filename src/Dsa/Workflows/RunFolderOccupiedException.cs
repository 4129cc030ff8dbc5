namespace Dsa.Workflows;

/// <summary>A run folder already holds a run, and the caller asked neither to overwrite it nor to resume it.</summary>
public sealed class RunFolderOccupiedException(string root)
    : IOException($"Run folder {root} already exists and is not empty; overwrite it or resume it.")
{
    public string Root { get; } = root;
}
