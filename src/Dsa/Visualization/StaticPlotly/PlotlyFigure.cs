using System.Globalization;
using System.Text.Json;
using Plotly.NET;
using SkiaSharp;

namespace Dsa.Visualization.StaticPlotly;

/// <summary>
/// The part of a Plotly figure that <see cref="StaticChartRenderer"/> draws, read from the
/// figure JSON (GenericChart.toFigureJson): the same `data` and `layout` objects plotly.js is
/// given, so the static picture and the interactive chart come from one description. Reading the
/// JSON rather than Plotly.NET's DynamicObj traces keeps to plotly.js's documented schema, and
/// works for any chart a notebook displays, not only those <see cref="Charts"/> builds.
/// </summary>
internal sealed record PlotlyFigure(
    IReadOnlyList<PlotlyTrace> Traces, string? Title, int Width, int Height, PlotlyAxis XAxis, PlotlyAxis YAxis, PlotlyAxis? Y2Axis,
    SKColor PaperColour, SKColor PlotColour, SKColor FontColour, SKColor GridColour, SKColor ErrorColour)
{
    // Plotly.NET's layout default when a chart sets no size (plotly.js itself would fill its container).
    private const int DefaultSize = 600;

    /// <summary>plotly.js's default colourway (layout.colorway), used when the template gives none.</summary>
    private static readonly string[] PlotlyColourway =
        ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"];

    public static PlotlyFigure Read(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        using var document = JsonDocument.Parse(GenericChart.toFigureJson(chart));
        var root = document.RootElement;
        var layout = root.TryGetProperty("layout", out var l) ? l : default;
        var template = Path(layout, "template", "layout");
        var colourway = (Get(layout, "colorway") ?? Get(template, "colorway"))?.EnumerateArray().Select(c => ParseColour(c.GetString(), "layout.colorway")).ToArray()
            ?? PlotlyColourway.Select(c => ParseColour(c, "plotly.js colorway")).ToArray();
        var traces = new List<PlotlyTrace>();
        if (root.TryGetProperty("data", out var data))
        {
            int index = 0;
            foreach (var trace in data.EnumerateArray())
            {
                traces.Add(PlotlyTrace.Read(trace, index, colourway[index % colourway.Length]));
                index++;
            }
        }
        var y2 = Get(layout, "yaxis2");
        var font = Colour(Get(layout, "font", "color") ?? Get(template, "font", "color"), new SKColor(42, 63, 95));
        return new PlotlyFigure(
            traces,
            Get(layout, "title", "text")?.GetString(),
            Get(layout, "width")?.GetInt32() ?? DefaultSize,
            Get(layout, "height")?.GetInt32() ?? DefaultSize,
            PlotlyAxis.Read(Get(layout, "xaxis")),
            PlotlyAxis.Read(Get(layout, "yaxis")),
            y2 is null ? null : PlotlyAxis.Read(y2),
            Colour(Get(layout, "paper_bgcolor") ?? Get(template, "paper_bgcolor"), SKColors.White),
            Colour(Get(layout, "plot_bgcolor") ?? Get(template, "plot_bgcolor"), SKColors.White),
            font,
            Colour(Get(template, "yaxis", "gridcolor"), new SKColor(238, 238, 238)),
            Colour(TemplateErrorColour(root), font));
    }

    // The template's bar trace defaults carry the error bar colour (template.data.bar[0].error_y.color).
    private static JsonElement? TemplateErrorColour(JsonElement root)
    {
        var bars = Get(root, "layout", "template", "data", "bar");
        if (bars is not { ValueKind: JsonValueKind.Array } array || array.GetArrayLength() == 0) return null;
        return Get(array[0], "error_y", "color");
    }

    private static JsonElement Path(JsonElement element, params string[] names) => Get(element, names) ?? default;

    /// <summary>The value at a chain of property names, or null where any link is missing.</summary>
    public static JsonElement? Get(JsonElement? element, params string[] names)
    {
        if (element is not JsonElement current) return null;
        foreach (var name in names)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current)) return null;
        }
        return current.ValueKind == JsonValueKind.Null ? null : current;
    }

    private static SKColor Colour(JsonElement? value, SKColor fallback) =>
        value is { ValueKind: JsonValueKind.String } s ? ParseColour(s.GetString(), "colour") : fallback;

    /// <summary>A CSS colour as Plotly.NET writes it: "#rrggbb" or "rgba(r, g, b, a)" (a in [0, 1]).</summary>
    public static SKColor ParseColour(string? text, string where)
    {
        if (text is null) throw new FormatException($"{where}: missing colour.");
        text = text.Trim();
        if (text.StartsWith("rgb", StringComparison.OrdinalIgnoreCase))
        {
            int open = text.IndexOf('('), close = text.LastIndexOf(')');
            var parts = open < 0 || close < open ? [] : text[(open + 1)..close].Split(',');
            if (parts.Length is 3 or 4)
            {
                var v = parts.Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                byte alpha = parts.Length == 4 ? (byte)Math.Round(Math.Clamp(v[3], 0, 1) * 255) : (byte)255;
                return new SKColor((byte)Math.Clamp(v[0], 0, 255), (byte)Math.Clamp(v[1], 0, 255), (byte)Math.Clamp(v[2], 0, 255), alpha);
            }
        }
        else if (SKColor.TryParse(text, out var parsed)) return parsed;
        throw new FormatException($"{where}: '{text}' is not a colour Plotly.NET writes (#rrggbb or rgba(r, g, b, a)).");
    }
}
