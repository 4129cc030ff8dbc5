namespace Dsa.Interactive;

/// <summary>A compile error or an exception that ended the cell (Jupyter `error`).</summary>
public sealed record ErrorOutput(string Name, string Value, IReadOnlyList<string> Traceback) : NotebookOutput;
