namespace Dsa.Interactive;

/// <summary>
/// The running cell's cancellation (the front end's interrupt button), wherever the notebook runs: our runner and
/// kernel set it when a cell starts; under .NET Interactive it is that kernel's
/// <c>KernelInvocationContext.Current.CancellationToken</c>, read by reflection so that this library does not depend
/// on .NET Interactive's packages. Long loops in notebooks pass <see cref="Current"/> on.
/// </summary>
public static class CellCancellation
{
    private static readonly AsyncLocal<CancellationToken?> FromRunner = new();

    /// <summary>Set by our runner and kernel for the cell they start (flows into the cell's tasks).</summary>
    public static void Enter(CancellationToken token) => FromRunner.Value = token;

    public static CancellationToken Current => FromRunner.Value ?? FromDotnetInteractive() ?? CancellationToken.None;

    private static CancellationToken? FromDotnetInteractive()
    {
        var context = Type.GetType("Microsoft.DotNet.Interactive.KernelInvocationContext, Microsoft.DotNet.Interactive");
        var current = context?.GetProperty("Current")?.GetValue(null);
        return current?.GetType().GetProperty("CancellationToken")?.GetValue(current) as CancellationToken?;
    }
}
