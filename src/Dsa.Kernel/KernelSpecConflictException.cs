namespace Dsa.Kernel;

/// <summary>A kernelspec folder holds another program's kernel.json, which install and uninstall leave alone without --force.</summary>
public sealed class KernelSpecConflictException(string folder, string message) : InvalidOperationException(message)
{
    /// <summary>The kernelspec folder (kernels/NAME).</summary>
    public string Folder { get; } = folder;
}
