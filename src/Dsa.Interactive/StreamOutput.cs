namespace Dsa.Interactive;

/// <summary>Text written to stdout or stderr (Jupyter `stream`; <see cref="Name"/> is "stdout" or "stderr").</summary>
public sealed record StreamOutput(string Name, string Text) : NotebookOutput;
