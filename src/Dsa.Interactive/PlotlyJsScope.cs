namespace Dsa.Interactive;

/// <summary>
/// One notebook session's record of whether plotly.js has already gone into an output. Jupyter
/// front ends run every text/html output of a notebook in one page, so the library defined by the
/// first chart's script is there for the later ones: embedding it once per session instead of once
/// per chart saves about 3.6 MB per extra chart in the .ipynb. A new session (the runner makes one
/// per notebook run) starts with a new scope, so every executed notebook carries plotly.js again.
/// </summary>
public sealed class PlotlyJsScope
{
    private int embedded;

    /// <summary>True once a chart formatted in this scope has carried the plotly.js source.</summary>
    public bool Embedded => Volatile.Read(ref embedded) == 1;

    /// <summary>True for the first caller only: that chart must carry plotly.js.</summary>
    internal bool Claim() => Interlocked.Exchange(ref embedded, 1) == 0;
}
