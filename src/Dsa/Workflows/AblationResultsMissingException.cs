namespace Dsa.Workflows;

/// <summary>A results folder has no cells.csv: the ablation grid's cells were not collected into it yet.</summary>
public sealed class AblationResultsMissingException(string folder, string path)
    : FileNotFoundException($"{folder}: no cells.csv (collect the finished grid's cells into it first).", path)
{
    public string Folder { get; } = folder;
}
