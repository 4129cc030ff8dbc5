using System.Globalization;
using System.Net;
using System.Text;
using Dsa.Data;
using Dsa.Evaluation;
using Dsa.Visualization;
using Microsoft.Data.Analysis;
using SkiaSharp;

namespace Dsa.Reports;

/// <summary>
/// A small builder of self-contained HTML pages: sections, paragraphs, AP tables in the paper's
/// layout, PNG images inlined as data URIs, Plotly charts with plotly.js embedded once. The page
/// needs no network (reports are read offline).
/// </summary>
public sealed class HtmlReport(string title)
{
    private readonly StringBuilder body = new();
    private bool hasCharts;

    public HtmlReport Heading(string text, int level = 2)
    {
        body.Append($"<h{level}>{WebUtility.HtmlEncode(text)}</h{level}>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        body.Append($"<p>{WebUtility.HtmlEncode(text)}</p>\n");
        return this;
    }

    /// <summary>A table with the paper's columns (Method, Head .. Ankle, mAP), one decimal; a null cell prints "-".</summary>
    public HtmlReport ApTable(IEnumerable<(string Method, IReadOnlyDictionary<string, double?> Columns, double? Map, bool Ours)> rows, string? caption = null)
    {
        body.Append("<table>");
        if (caption is not null) body.Append($"<caption>{WebUtility.HtmlEncode(caption)}</caption>");
        body.Append("<tr><th>Method</th>");
        foreach (var c in Skeleton.ReportColumns) body.Append($"<th>{c}</th>");
        body.Append("<th>mAP</th></tr>\n");
        foreach (var (method, columns, map, ours) in rows)
        {
            body.Append(ours ? "<tr class=\"ours\">" : "<tr>").Append($"<td>{WebUtility.HtmlEncode(method)}</td>");
            foreach (var c in Skeleton.ReportColumns) body.Append($"<td>{Cell(columns.TryGetValue(c, out var v) ? v : null)}</td>");
            body.Append($"<td><b>{Cell(map)}</b></td></tr>\n");
        }
        body.Append("</table>\n");
        return this;
    }

    /// <summary>Any <see cref="DataFrame"/> as a table: numbers right-aligned with one decimal (integers as they are), nulls as "-".</summary>
    public HtmlReport Table(DataFrame frame, string? caption = null)
    {
        body.Append("<table>");
        if (caption is not null) body.Append($"<caption>{WebUtility.HtmlEncode(caption)}</caption>");
        body.Append("<tr>");
        foreach (var column in frame.Columns) body.Append($"<th>{WebUtility.HtmlEncode(column.Name)}</th>");
        body.Append("</tr>\n");
        foreach (var row in frame.Rows)
        {
            body.Append("<tr>");
            foreach (var value in row)
                body.Append("<td>").Append(value switch
                {
                    double d => Cell(d),
                    null => "-",
                    _ => WebUtility.HtmlEncode(Convert.ToString(value, CultureInfo.InvariantCulture)),
                }).Append("</td>");
            body.Append("</tr>\n");
        }
        body.Append("</table>\n");
        return this;
    }

    public static (string, IReadOnlyDictionary<string, double?>, double?, bool) Row(string method, ApResult result) =>
        (method, Skeleton.ReportColumns.ToDictionary(c => c, c => (double?)result.Columns[c]), result.Total, true);

    public static (string, IReadOnlyDictionary<string, double?>, double?, bool) Row(PaperRow row) =>
        ($"{row.Method} (paper, {row.Table})", row.Columns, row.Map, false);

    public HtmlReport Image(SKImage image, string caption)
    {
        body.Append($"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(Png.Encode(image))}\" alt=\"{WebUtility.HtmlEncode(caption)}\"/>");
        body.Append($"<figcaption>{WebUtility.HtmlEncode(caption)}</figcaption></figure>\n");
        return this;
    }

    public HtmlReport Chart(Plotly.NET.GenericChart chart)
    {
        hasCharts = true;
        // With its static PNG, so the report still shows the chart when opened with scripts blocked.
        body.Append(Charts.ToHtmlFragment(chart, staticFallback: true)).Append('\n');
        return this;
    }

    public string Render()
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/>");
        page.Append($"<title>{WebUtility.HtmlEncode(title)}</title>");
        page.Append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}"
            + "td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}td:first-child{text-align:left}tr.ours{background:#eef6ee}"
            + "caption{caption-side:top;text-align:left;font-weight:bold;padding:4px 0}figure{margin:1em 0}img{max-width:100%}</style>");
        if (hasCharts) page.Append(Charts.PlotlyJsScriptTag());
        page.Append("</head><body>\n");
        page.Append($"<h1>{WebUtility.HtmlEncode(title)}</h1>\n");
        page.Append(body);
        page.Append("</body></html>\n");
        return page.ToString();
    }

    private static string Cell(double? v) => v is { } x && !double.IsNaN(x) ? x.ToString("F1", CultureInfo.InvariantCulture) : "-";
}
