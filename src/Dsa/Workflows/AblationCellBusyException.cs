namespace Dsa.Workflows;

/// <summary>Another job holds the cell's lock.</summary>
public sealed class AblationCellBusyException(string lockPath, string message) : IOException(message)
{
    public string LockPath { get; } = lockPath;
}
