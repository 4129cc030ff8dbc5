using System.Globalization;
using System.Net;
using System.Text;
using Dsa.Visualization;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using SkiaSharp;
using TorchSharp;

namespace Dsa.Interactive;

/// <summary>
/// The notebook display layer: how the workbench's values look in a notebook. Formatters are
/// registered with Microsoft.DotNet.Interactive.Formatting (the formatter registry Polyglot Notebooks
/// used), so a future kernel built on that package shows the same thing; <see cref="ToMimeBundle"/>
/// turns a value into the MIME bundle of a Jupyter display_data / execute_result.
/// </summary>
public static class DsaFormatters
{
    public const string PlainText = "text/plain";
    public const string Html = "text/html";
    public const string Png = "image/png";

    /// <summary>Rows of a DataFrame shown before the table is cut (the text says how many were left out).</summary>
    public const int DataFrameRowLimit = 50;

    private static readonly object Gate = new();
    private static bool registered;

    // The plotly.js scope of the notebook session formatting on this logical call context (an
    // AsyncLocal like Display's sink, so sessions running side by side in one process never share it).
    private static readonly AsyncLocal<PlotlyJsScope?> CurrentPlotlyJsScope = new();

    // Which MIME types each formatted type contributes to a bundle, richest first. Jupyter front ends
    // pick the richest they can render and fall back to text/plain (e.g. a terminal, a diff tool).
    private static readonly (Type Type, string[] MimeTypes)[] RichTypes =
    [
        (typeof(SKImage), [Png, PlainText]),
        (typeof(SKBitmap), [Png, PlainText]),
        (typeof(GenericChart), [Html, PlainText]),
        (typeof(DataFrame), [Html, PlainText]),
        (typeof(torch.Tensor), [PlainText]),
    ];

    /// <summary>Registers every DSA formatter once; later calls do nothing.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (registered) return;
            Formatter.Register<SKImage>((image, context) => Write(context, EncodePngBase64(image)), Png);
            Formatter.Register<SKImage>((image, context) => Write(context, $"SKImage {image.Width}x{image.Height} px"), PlainText);
            Formatter.Register<SKBitmap>((bitmap, context) => Write(context, EncodePngBase64(bitmap)), Png);
            Formatter.Register<SKBitmap>((bitmap, context) => Write(context, $"SKBitmap {bitmap.Width}x{bitmap.Height} px {bitmap.ColorType}"), PlainText);
            Formatter.Register<GenericChart>((chart, context) => Write(context, ChartHtml(chart)), Html);
            Formatter.Register<GenericChart>((chart, context) => Write(context, $"Plotly chart ({GenericChart.getTraces(chart).Length} traces)"), PlainText);
            Formatter.Register<DataFrame>((frame, context) => Write(context, DataFrameHtml(frame)), Html);
            Formatter.Register<DataFrame>((frame, context) => Write(context, DataFrameText(frame)), PlainText);
            Formatter.Register<torch.Tensor>((tensor, context) => Write(context, TensorSummary(tensor)), PlainText);
            registered = true;
        }
    }

    /// <summary>
    /// The Jupyter MIME bundle of a value: the rich types above get their MIME types; strings are
    /// shown verbatim; anything else gets the Formatting package's plain-text rendering.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ToMimeBundle(object? value)
    {
        Register();
        if (value is null) return new Dictionary<string, string> { [PlainText] = Formatter.NullString };
        if (value is string text) return new Dictionary<string, string> { [PlainText] = text };
        var type = value.GetType();
        var mimeTypes = RichTypes.FirstOrDefault(r => r.Type.IsAssignableFrom(type)).MimeTypes ?? [PlainText];
        var bundle = new Dictionary<string, string>();
        foreach (var mime in mimeTypes)
            bundle[mime] = Formatter.ToDisplayString(value, mime);
        return bundle;
    }

    /// <summary>
    /// Until the result is disposed, charts formatted on this call context embed plotly.js only if
    /// <paramref name="scope"/> has not embedded it yet (later charts get the div and newPlot script
    /// only). Without a scope every chart is self-contained.
    /// </summary>
    public static IDisposable Attach(PlotlyJsScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var previous = CurrentPlotlyJsScope.Value;
        CurrentPlotlyJsScope.Value = scope;
        return new RestoreScope(previous);
    }

    /// <summary>"Tensor [2, 3] Float32 cpu": shape, dtype and device, never the values (they can be huge).</summary>
    public static string TensorSummary(torch.Tensor tensor) =>
        $"Tensor [{string.Join(", ", tensor.shape)}] {tensor.dtype} {tensor.device}";

    private static bool Write(FormatContext context, string text)
    {
        context.Writer.Write(text);
        return true;
    }

    private static string EncodePngBase64(SKImage image)
    {
        // Jupyter stores image/png as base64 text (nbformat: "base64-encoded PNG").
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width}x{image.Height} image as PNG.");
        return Convert.ToBase64String(data.AsSpan());
    }

    private static string EncodePngBase64(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap)
            ?? throw new InvalidOperationException($"SkiaSharp could not wrap a {bitmap.Width}x{bitmap.Height} {bitmap.ColorType} bitmap as an image.");
        return EncodePngBase64(image);
    }

    /// <summary>
    /// The chart as an HTML fragment. Notebooks are read offline (no CDN), so plotly.js (about
    /// 3.6 MB) is inlined: in every chart when no <see cref="PlotlyJsScope"/> is attached, else only
    /// in the scope's first chart. The chart's div holds a static PNG that its script removes
    /// before plotting, so viewers without JavaScript (GitHub) still show the chart. The PNG goes
    /// inside the HTML, not as an image/png entry of the bundle: front ends (and nbconvert, whose
    /// display priority GitHub's renderer follows) pick text/html over image/png, so a separate
    /// entry would only double the notebook's size.
    /// </summary>
    private static string ChartHtml(GenericChart chart)
    {
        var scope = CurrentPlotlyJsScope.Value;
        if (scope is null) return Charts.ToSelfContainedHtml(chart, staticFallback: true);
        var fragment = Charts.ToHtmlFragment(chart, staticFallback: true);
        return scope.Claim() ? Charts.PlotlyJsScriptTag() + fragment : fragment;
    }

    private static string DataFrameHtml(DataFrame frame)
    {
        var html = new StringBuilder();
        html.Append("<table><thead><tr><th></th>");
        foreach (var column in frame.Columns)
            html.Append("<th>").Append(WebUtility.HtmlEncode(column.Name)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        long shown = Math.Min(frame.Rows.Count, DataFrameRowLimit);
        for (long row = 0; row < shown; row++)
        {
            html.Append("<tr><td><i>").Append(row).Append("</i></td>");
            foreach (var column in frame.Columns)
                html.Append("<td>").Append(WebUtility.HtmlEncode(Cell(column[row]))).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        if (frame.Rows.Count > shown)
            html.Append("<p>").Append(frame.Rows.Count - shown).Append(" more rows</p>");
        return html.ToString();
    }

    private static string DataFrameText(DataFrame frame)
    {
        long shown = Math.Min(frame.Rows.Count, DataFrameRowLimit);
        var table = new List<string[]> { frame.Columns.Select(c => c.Name).ToArray() };
        for (long row = 0; row < shown; row++)
            table.Add(frame.Columns.Select(c => Cell(c[row])).ToArray());
        var widths = Enumerable.Range(0, frame.Columns.Count).Select(c => table.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        text.Append("DataFrame ").Append(frame.Rows.Count).Append(" rows x ").Append(frame.Columns.Count).Append(" columns");
        foreach (var line in table)
            text.Append('\n').Append(string.Join("  ", line.Select((cell, c) => cell.PadLeft(widths[c]))));
        if (frame.Rows.Count > shown) text.Append('\n').Append(frame.Rows.Count - shown).Append(" more rows");
        return text.ToString();
    }

    // Floating-point cells with one decimal (tables in notebooks are read, not parsed); integers,
    // text and missing values as they are.
    private static string Cell(object? value) => value switch
    {
        null => "",
        double d => d.ToString("F1", CultureInfo.InvariantCulture),
        float f => f.ToString("F1", CultureInfo.InvariantCulture),
        decimal m => m.ToString("F1", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private sealed class RestoreScope(PlotlyJsScope? previous) : IDisposable
    {
        public void Dispose() => CurrentPlotlyJsScope.Value = previous;
    }
}
