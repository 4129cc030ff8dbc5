using System.Text.Json.Nodes;
using Dsa.Visualization;

namespace Dsa.Notebooks;

/// <summary>
/// Puts plotly.js into exactly one output of an executed notebook: the first Plotly chart in
/// document order. The formatters embed it in a session's first chart only (<see cref="Dsa.Interactive.PlotlyJsScope"/>),
/// but that output may later be replaced (a display handle's Update, a live loss curve) or
/// cleared, which would leave the saved notebook's charts without the library; a page loads
/// outputs in document order, so the first chart is where the script must be.
/// </summary>
public static class PlotlyJsPlacement
{
    // Plotly.NET's chart script draws with Plotly.newPlot(...).
    private const string ChartMarker = "Plotly.newPlot(";

    /// <summary>
    /// Moves the plotly.js script tag to the first chart output. <paramref name="embedded"/>: the
    /// session formatted a chart with the script (its output may be gone); without it the notebook
    /// is changed only if some output still carries the script.
    /// </summary>
    public static void Apply(Notebook notebook, bool embedded)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        string script = Charts.PlotlyJsScriptTag();
        JsonObject? firstChart = null;
        bool carried = embedded;
        foreach (var cell in notebook.Cells.Where(c => c.IsCode))
            foreach (var output in cell.Outputs.OfType<JsonObject>())
            {
                if (output["data"] is not JsonObject data || data["text/html"] is not { } node) continue;
                string html = NotebookJson.FromLines(node, $"cell {cell.Id}, text/html output");
                if (html.Contains(script, StringComparison.Ordinal))
                {
                    carried = true;
                    html = html.Replace(script, "", StringComparison.Ordinal);
                    data["text/html"] = NotebookJson.ToLines(html);
                }
                if (firstChart is null && html.Contains(ChartMarker, StringComparison.Ordinal)) firstChart = data;
            }
        if (carried && firstChart is not null)
            firstChart["text/html"] = NotebookJson.ToLines(script + NotebookJson.FromLines(firstChart["text/html"], "first chart output"));
    }
}
