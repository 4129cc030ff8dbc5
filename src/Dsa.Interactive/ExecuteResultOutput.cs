namespace Dsa.Interactive;

/// <summary>The value of a cell's trailing expression (Jupyter `execute_result`).</summary>
public sealed record ExecuteResultOutput(IReadOnlyDictionary<string, string> Data, int ExecutionCount) : NotebookOutput;
