using System.Text.Json;

namespace Dsa.Visualization.StaticPlotly;

/// <summary>One axis of a Plotly layout as far as a static picture needs it (layout.xaxis, yaxis, yaxis2).</summary>
internal sealed record PlotlyAxis(string? Title, bool Log, bool RightSide, IReadOnlyList<string>? CategoryArray)
{
    public static PlotlyAxis Read(JsonElement? axis) => new(
        PlotlyFigure.Get(axis, "title", "text")?.GetString(),
        PlotlyFigure.Get(axis, "type")?.GetString() == "log",
        PlotlyFigure.Get(axis, "side")?.GetString() == "right",
        PlotlyFigure.Get(axis, "categoryorder")?.GetString() == "array" && PlotlyFigure.Get(axis, "categoryarray") is { ValueKind: JsonValueKind.Array } order
            ? order.EnumerateArray().Select(e => e.ToString()).ToArray()
            : null);
}
