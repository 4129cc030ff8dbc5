namespace Dsa.Interactive;

/// <summary>Clears the cell's outputs; with <see cref="Wait"/>, only when the next output arrives (Jupyter `clear_output`).</summary>
public sealed record ClearOutput(bool Wait) : NotebookOutput;
