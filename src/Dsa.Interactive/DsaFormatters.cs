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
    public const string Jpeg = "image/jpeg";

    /// <summary>
    /// A picture whose PNG is larger than this (base64 characters) is stored as JPEG (quality <see cref="JpegQuality"/>)
    /// by <see cref="ToMimeBundle"/>: rendered video frames are photo-like and compress 5-10x better that way, which keeps a
    /// committed notebook under 1.5 MB. Drawings (charts, fields, small crops) stay lossless PNG.
    /// </summary>
    public const int LargePngChars = 300_000;

    public const int JpegQuality = 90;

    /// <summary>Rows of a DataFrame shown before the table is cut (the text says how many were left out).</summary>
    public const int DataFrameRowLimit = 50;

    private static readonly object Gate = new();
    private static bool registered;

    // Which MIME types each formatted type contributes to a bundle, richest first. Jupyter front ends
    // pick the richest they can render and fall back to text/plain (e.g. a terminal, a diff tool).
    private static readonly (Type Type, string[] MimeTypes)[] RichTypes =
    [
        (typeof(SKImage), [Png, PlainText]),
        (typeof(SKBitmap), [Png, PlainText]),
        // image/png: the static rendering, for viewers that run no JavaScript and front ends that prefer it.
        (typeof(GenericChart), [Html, Png, PlainText]),
        (typeof(DataFrame), [Html, PlainText]),
        (typeof(torch.Tensor), [PlainText]),
    ];

    /// <summary>Registers every DSA formatter once; later calls do nothing.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (registered) return;
            Formatter.Register<SKImage>((image, context) => Write(context, EncodeBase64(image, SKEncodedImageFormat.Png, 100)), Png);
            Formatter.Register<SKImage>((image, context) => Write(context, $"SKImage {image.Width}x{image.Height} px"), PlainText);
            Formatter.Register<SKBitmap>((bitmap, context) => Write(context, EncodeBase64(bitmap, SKEncodedImageFormat.Png, 100)), Png);
            Formatter.Register<SKBitmap>((bitmap, context) => Write(context, $"SKBitmap {bitmap.Width}x{bitmap.Height} px {bitmap.ColorType}"), PlainText);
            Formatter.Register<GenericChart>((chart, context) => Write(context, Charts.ToNotebookHtml(chart)), Html);
            Formatter.Register<GenericChart>((chart, context) => Write(context, Convert.ToBase64String(Charts.ToPng(chart))), Png);
            Formatter.Register<GenericChart>((chart, context) => Write(context, $"Plotly chart ({GenericChart.getTraces(chart).Length} traces)"), PlainText);
            Formatter.Register<DataFrame>((frame, context) => Write(context, DataFrameHtml(frame)), Html);
            Formatter.Register<DataFrame>((frame, context) => Write(context, DataFrameText(frame)), PlainText);
            Formatter.Register<torch.Tensor>((tensor, context) => Write(context, TensorSummary(tensor)), PlainText);
            // .NET Interactive puts a value's preferred MIME types into its display bundle (otherwise only text/html),
            // so the same bundle as ToMimeBundle's comes out there.
            foreach (var (type, mimeTypes) in RichTypes) Formatter.SetPreferredMimeTypesFor(type, mimeTypes);
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
        if (value is SKImage or SKBitmap && bundle.TryGetValue(Png, out var png) && png.Length > LargePngChars)
        {
            bundle.Remove(Png);
            bundle[Jpeg] = value is SKImage image ? EncodeBase64(image, SKEncodedImageFormat.Jpeg, JpegQuality) : EncodeBase64((SKBitmap)value, SKEncodedImageFormat.Jpeg, JpegQuality);
        }
        return bundle;
    }

    /// <summary>"Tensor [2, 3] Float32 cpu": shape, dtype and device, never the values (they can be huge).</summary>
    public static string TensorSummary(torch.Tensor tensor) =>
        $"Tensor [{string.Join(", ", tensor.shape)}] {tensor.dtype} {tensor.device}";

    // Jupyter stores pictures as base64 text (nbformat: "base64-encoded PNG"; the same for JPEG).
    private static string EncodeBase64(SKImage image, SKEncodedImageFormat format, int quality)
    {
        using var data = image.Encode(format, quality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width}x{image.Height} image as {format}.");
        return Convert.ToBase64String(data.AsSpan());
    }

    private static string EncodeBase64(SKBitmap bitmap, SKEncodedImageFormat format, int quality)
    {
        using var image = SKImage.FromBitmap(bitmap)
            ?? throw new InvalidOperationException($"SkiaSharp could not wrap a {bitmap.Width}x{bitmap.Height} {bitmap.ColorType} bitmap as an image.");
        return EncodeBase64(image, format, quality);
    }

    private static bool Write(FormatContext context, string text)
    {
        context.Writer.Write(text);
        return true;
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
}
