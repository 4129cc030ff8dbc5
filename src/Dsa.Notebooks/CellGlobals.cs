using Dsa.Interactive;

namespace Dsa.Notebooks;

/// <summary>
/// The globals object of a notebook's script: its public members are in scope in every cell, so a
/// cell writes <c>display(chart)</c> as in Polyglot Notebooks.
/// </summary>
public sealed class CellGlobals
{
    private CancellationToken cancellation;

    /// <summary>The folder holding the notebook (relative data paths are resolved against it).</summary>
    public string NotebookDirectory { get; }

    /// <summary>Signalled when the running cell is interrupted or times out; long loops should check it.</summary>
    public CancellationToken CancellationToken => cancellation;

    internal CellGlobals(string notebookDirectory) => NotebookDirectory = notebookDirectory;

    internal void BeginCell(CancellationToken token) => cancellation = token;

    /// <summary>Shows a value below the cell; the handle's Update replaces it in place.</summary>
#pragma warning disable IDE1006 // lower-case on purpose: the notebook convention (Polyglot, IPython) is display(x).
    public DisplayHandle display(object? value) => Display.Show(value);
#pragma warning restore IDE1006
}
