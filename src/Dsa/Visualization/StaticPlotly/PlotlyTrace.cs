using System.Text.Json;
using SkiaSharp;

namespace Dsa.Visualization.StaticPlotly;

/// <summary>
/// One trace of a Plotly figure (an element of its `data` array) that <see cref="StaticChartRenderer"/>
/// can draw: "scatter" (lines and/or markers) or "bar" with an optional symmetric error_y array.
/// X values are numbers or, for category axes, strings (then <see cref="X"/> is NaN and
/// <see cref="Categories"/> holds them); a null y (a gap) is NaN.
/// </summary>
internal sealed record PlotlyTrace(
    int Index, bool IsBar, string? Name, bool ShowLegend, double[] X, string[]? Categories, double[] Y, bool OnY2,
    bool Lines, bool Markers, SKColor Colour, float[]? Dash, bool Diamond, float MarkerSize, double[]? ErrorY, string[]? Text)
{
    // plotly.js's scatter default: markers are added to lines when a trace has fewer than 20 points.
    private const int MarkersBelowPoints = 20;

    public static PlotlyTrace Read(JsonElement trace, int index, SKColor defaultColour)
    {
        string type = PlotlyFigure.Get(trace, "type")?.GetString() ?? "scatter";
        string where = $"trace {index} ('{PlotlyFigure.Get(trace, "name")?.GetString()}', type {type})";
        if (type is not ("scatter" or "scattergl" or "bar"))
            throw new NotSupportedException($"{where}: no static rendering for Plotly trace type '{type}' (only scatter and bar).");
        if (PlotlyFigure.Get(trace, "orientation")?.GetString() == "h")
            throw new NotSupportedException($"{where}: horizontal bars have no static rendering.");
        var yElement = PlotlyFigure.Get(trace, "y") ?? throw new FormatException($"{where}: no y array.");
        var y = Numbers(yElement, $"{where}, y");
        double[] x;
        string[]? categories = null;
        if (PlotlyFigure.Get(trace, "x") is { ValueKind: JsonValueKind.Array } xElement)
        {
            if (xElement.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String))
            {
                categories = xElement.EnumerateArray().Select(e => e.ToString()).ToArray();
                x = Enumerable.Repeat(double.NaN, categories.Length).ToArray();
            }
            else x = Numbers(xElement, $"{where}, x");
        }
        else x = Enumerable.Range(0, y.Length).Select(i => (double)i).ToArray(); // plotly.js: x defaults to 0, 1, 2, ...
        if (x.Length != y.Length) throw new FormatException($"{where}: x has {x.Length} values but y has {y.Length}.");

        bool isBar = type == "bar";
        string mode = PlotlyFigure.Get(trace, "mode")?.GetString() ?? (y.Length < MarkersBelowPoints ? "lines+markers" : "lines");
        var colourText = PlotlyFigure.Get(trace, "marker", "color") ?? PlotlyFigure.Get(trace, "line", "color");
        var colour = colourText is { ValueKind: JsonValueKind.String } c ? PlotlyFigure.ParseColour(c.GetString(), $"{where}, colour") : defaultColour;
        var symbol = PlotlyFigure.Get(trace, "marker", "symbol")?.ToString();
        double[]? error = null;
        if (PlotlyFigure.Get(trace, "error_y") is { } errorY && PlotlyFigure.Get(errorY, "visible")?.GetBoolean() != false
            && PlotlyFigure.Get(errorY, "array") is { } errorArray)
        {
            error = Numbers(errorArray, $"{where}, error_y.array");
            if (error.Length != y.Length) throw new FormatException($"{where}: error_y.array has {error.Length} values but y has {y.Length}.");
        }
        string[]? text = PlotlyFigure.Get(trace, "text") is { ValueKind: JsonValueKind.Array } t ? t.EnumerateArray().Select(e => e.ToString()).ToArray() : null;
        return new PlotlyTrace(index, isBar, PlotlyFigure.Get(trace, "name")?.GetString(), PlotlyFigure.Get(trace, "showlegend")?.GetBoolean() ?? true,
            x, categories, y, PlotlyFigure.Get(trace, "yaxis")?.GetString() == "y2",
            !isBar && mode.Contains("lines"), !isBar && mode.Contains("markers"), colour,
            DashPattern(PlotlyFigure.Get(trace, "line", "dash")?.GetString(), (float)(PlotlyFigure.Get(trace, "line", "width")?.GetDouble() ?? LineWidth)),
            symbol is "diamond" or "2", (float)(PlotlyFigure.Get(trace, "marker", "size")?.GetDouble() ?? 6), error, text);
    }

    /// <summary>plotly.js's default line width (px).</summary>
    public const float LineWidth = 2f;

    // plotly.js Drawing.dashStyle: dot = d,d and dash = 3d,3d with d = max(line width, 3).
    private static float[]? DashPattern(string? dash, float width)
    {
        float d = Math.Max(width, 3);
        return dash switch
        {
            "dash" => [3 * d, 3 * d],
            "dot" => [d, d],
            "dashdot" => [3 * d, d, d, d],
            "longdash" => [5 * d, 5 * d],
            _ => null,
        };
    }

    private static double[] Numbers(JsonElement array, string where)
    {
        if (array.ValueKind != JsonValueKind.Array) throw new FormatException($"{where}: expected an array, got {array.ValueKind}.");
        return array.EnumerateArray().Select((e, i) => e.ValueKind switch
        {
            JsonValueKind.Number => e.GetDouble(),
            JsonValueKind.Null => double.NaN,
            _ => throw new FormatException($"{where}[{i}]: '{e}' is not a number."),
        }).ToArray();
    }
}
