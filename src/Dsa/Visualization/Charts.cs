using System.Text.RegularExpressions;
using Dsa.Data;
using Dsa.Evaluation;
using Dsa.Visualization.StaticPlotly;
using Microsoft.FSharp.Core;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;
using static Plotly.NET.CSharp.GenericChartExtensions;

namespace Dsa.Visualization;

/// <summary>
/// Plotly.NET charts for training curves and result tables. Charts are returned, not shown;
/// <see cref="ToSelfContainedHtml"/> embeds plotly.js so reports and notebooks open offline.
/// </summary>
public static class Charts
{
    /// <summary>The per-joint AP columns in the paper's table order (Tables 1-5), then the mean.</summary>
    public static IReadOnlyList<string> ApColumns { get; } = Skeleton.ReportColumns.Append("mAP").ToArray();

    /// <summary>
    /// Loss against step, one line per run (log-scaled loss axis by default, since heatmap MSE
    /// falls over orders of magnitude); optional learning-rate curves on a second, right-hand axis.
    /// </summary>
    public static GenericChart LossCurves(IReadOnlyDictionary<string, IReadOnlyList<(long Step, double Loss)>> runs,
        IReadOnlyDictionary<string, IReadOnlyList<(long Step, double LearningRate)>>? learningRates = null,
        string title = "Training loss", bool logLoss = true)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("LossCurves needs at least one run.", nameof(runs));
        var traces = new List<GenericChart>();
        foreach (var (name, points) in runs)
        {
            CheckFinite(points.Select(p => p.Loss), $"run '{name}', loss");
            if (logLoss && points.Any(p => p.Loss <= 0))
                throw new ArgumentException($"run '{name}': a non-positive loss cannot go on the log axis (pass logLoss: false).", nameof(runs));
            traces.Add(CSharpChart.Line<long, double, string>(points.Select(p => p.Step), points.Select(p => p.Loss), Name: name));
        }
        if (learningRates is not null)
            foreach (var (name, points) in learningRates)
            {
                CheckFinite(points.Select(p => p.LearningRate), $"learning rate of '{name}'");
                var lr = CSharpChart.Line<long, double, string>(points.Select(p => p.Step), points.Select(p => p.LearningRate),
                    Name: $"{name} (lr)", LineDash: StyleParam.DrawingStyle.Dash);
                traces.Add(Plotly.NET.Chart.withAxisAnchor(FSharpOption<int>.None, FSharpOption<int>.Some(2)).Invoke(lr));
            }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<long, long, string>(TitleText: "step")
            .WithYAxisStyle<double, double, string>(TitleText: "loss", AxisType: logLoss ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        if (learningRates is not null)
            chart = chart.WithYAxisStyle<double, double, string>(TitleText: "learning rate", Side: StyleParam.Side.Right,
                Overlaying: StyleParam.LinearAxisId.NewY(1), Id: StyleParam.SubPlotId.NewYAxis(2));
        return WithTitle(chart, title);
    }

    /// <summary>
    /// Learning rate against epoch (0-based), one line per reading of a schedule, on a log axis. In the library rather
    /// than in a notebook cell: a cell that names Plotly.NET's F# types itself does not compile under .NET Interactive,
    /// whose FSharp.Core (10.0) is older than the one Plotly.NET 6 is built against (10.1).
    /// </summary>
    public static GenericChart LearningRateSchedules(IReadOnlyDictionary<string, IReadOnlyList<double>> perEpoch, string title = "Learning-rate schedule")
    {
        ArgumentNullException.ThrowIfNull(perEpoch);
        if (perEpoch.Count == 0) throw new ArgumentException("LearningRateSchedules needs at least one schedule.", nameof(perEpoch));
        var traces = new List<GenericChart>();
        foreach (var (name, rates) in perEpoch)
        {
            CheckFinite(rates, $"schedule '{name}'");
            if (rates.Any(r => r <= 0)) throw new ArgumentException($"schedule '{name}': a non-positive learning rate cannot go on the log axis.", nameof(perEpoch));
            traces.Add(CSharpChart.Line<int, double, string>(Enumerable.Range(0, rates.Count), rates, Name: name));
        }
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<int, int, string>(TitleText: "epoch (0-based)")
            .WithYAxisStyle<double, double, string>(TitleText: "learning rate", AxisType: StyleParam.AxisType.Log);
        return WithTitle(chart, title).WithSize(900, 450);
    }

    /// <summary>
    /// Grouped bars: per method, AP for Head, Shoulder, Elbow, Wrist, Hip, Knee, Ankle and mAP
    /// (<see cref="ApColumns"/>), always in that order on the x axis whatever the dictionaries'
    /// order. A method may lack columns (the paper prints "-" for some): those bars are left out.
    /// Use <see cref="ApRow(PaperRow)"/> / <see cref="ApRow(ApResult)"/> to turn the paper's rows
    /// and evaluator results into rows.
    /// </summary>
    public static GenericChart PerJointApBars(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> methods, string title = "Per-joint AP")
    {
        ArgumentNullException.ThrowIfNull(methods);
        if (methods.Count == 0) throw new ArgumentException("PerJointApBars needs at least one method.", nameof(methods));
        var bars = new List<GenericChart>();
        foreach (var (method, row) in methods)
        {
            var unknown = row.Keys.Where(k => !ApColumns.Contains(k)).ToArray();
            if (unknown.Length > 0)
                throw new ArgumentException($"method '{method}': unknown column(s) {string.Join(", ", unknown.Select(k => $"'{k}'"))} " +
                    $"(expected {string.Join(", ", ApColumns)}).", nameof(methods));
            var columns = ApColumns.Where(row.ContainsKey).ToArray();
            if (columns.Length == 0) throw new ArgumentException($"method '{method}': no columns.", nameof(methods));
            var values = columns.Select(c => row[c]).ToArray();
            CheckFinite(values, $"method '{method}'");
            bars.Add(CSharpChart.Column<double, string, string>(values, Keys: columns, Name: method,
                MultiText: values.Select(v => v.ToString("0.0")).ToArray()));
        }
        var chart = CSharpChart.Combine(bars)
            .WithXAxisStyle<string, string, string>(TitleText: "joint group", CategoryOrder: StyleParam.CategoryOrder.Array, CategoryArray: ApColumns.ToArray())
            .WithYAxisStyle<double, double, string>(TitleText: "AP (%)");
        return WithTitle(chart, title);
    }

    /// <summary>A paper table row as a chart row: its printed columns (skipping "-") and mAP.</summary>
    public static IReadOnlyDictionary<string, double> ApRow(PaperRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var result = new Dictionary<string, double>();
        foreach (var column in Skeleton.ReportColumns)
            if (row.Columns.TryGetValue(column, out var v) && v is double value) result[column] = value;
        result["mAP"] = row.Map;
        return result;
    }

    /// <summary>An evaluator result as a chart row: the 7 columns (skipping NaN, poseval's "joint never annotated") and mAP.</summary>
    public static IReadOnlyDictionary<string, double> ApRow(ApResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var row = new Dictionary<string, double>();
        foreach (var column in Skeleton.ReportColumns)
            if (result.Columns.TryGetValue(column, out var v) && double.IsFinite(v)) row[column] = v;
        if (double.IsFinite(result.Total)) row["mAP"] = result.Total;
        return row;
    }

    /// <summary>
    /// One bar per ablation setting (mean over runs, error bar = one standard deviation) and the
    /// paper's value as a diamond marker where it has one.
    /// </summary>
    public static GenericChart AblationBars(IReadOnlyList<AblationBar> rows, string title = "Ablation (mAP)", string valueName = "mAP (%)")
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("AblationBars needs at least one row.", nameof(rows));
        foreach (var r in rows)
        {
            CheckFinite(new[] { r.Mean, r.Std }, $"ablation row '{r.Name}'");
            if (r.Std < 0) throw new ArgumentException($"ablation row '{r.Name}': negative standard deviation {r.Std}.", nameof(rows));
            if (r.PaperValue is double p) CheckFinite(new[] { p }, $"ablation row '{r.Name}', paper value");
        }
        var names = rows.Select(r => r.Name).ToArray();
        var measured = CSharpChart.Column<double, string, string>(rows.Select(r => r.Mean), Keys: names, Name: "this workbench (mean ± std)");
        measured = Plotly.NET.Chart.withYErrorStyle<double, double>(
            Visible: FSharpOption<bool>.Some(true), Type: FSharpOption<StyleParam.ErrorType>.Some(StyleParam.ErrorType.Data),
            Symmetric: FSharpOption<bool>.Some(true), Array: FSharpOption<IEnumerable<double>>.Some(rows.Select(r => r.Std).ToArray()),
            // F# optional arguments are plain parameters to C#; null is F#'s None.
            Arrayminus: null, Value: null, Valueminus: null, Traceref: null, Tracerefminus: null, Copy_ystyle: null,
            Color: null, Thickness: null, Width: null).Invoke(measured);
        var traces = new List<GenericChart> { measured };
        var withPaper = rows.Where(r => r.PaperValue is not null).ToArray();
        if (withPaper.Length > 0)
            traces.Add(CSharpChart.Point<string, double, string>(withPaper.Select(r => r.Name), withPaper.Select(r => r.PaperValue!.Value),
                Name: "paper", MarkerSymbol: StyleParam.MarkerSymbol.Diamond, MarkerColor: Color.fromKeyword(ColorKeyword.Black)));
        var chart = CSharpChart.Combine(traces)
            .WithXAxisStyle<string, string, string>(TitleText: "setting", CategoryOrder: StyleParam.CategoryOrder.Array, CategoryArray: names)
            .WithYAxisStyle<double, double, string>(TitleText: valueName);
        return WithTitle(chart, title);
    }

    /// <summary>
    /// A complete HTML document with the plotly.js source inlined (Plotly.NET's
    /// PlotlyJSReference.Full: its bundled plotly.min.js inside a script tag), no CDN reference.
    /// </summary>
    public static string ToSelfContainedHtml(GenericChart chart, bool staticFallback = false)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var options = DisplayOptions.init(DocumentTitle: null, DocumentCharset: null, DocumentDescription: null, DocumentFavicon: null,
            AdditionalHeadTags: null, ChartDescription: null, PlotlyJSReference: FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.Full));
        var html = GenericChart.toEmbeddedHTML(Plotly.NET.Chart.withDisplayOptions(options).Invoke(chart));
        return staticFallback ? WithStaticFallback(html, chart) : html;
    }

    /// <summary>
    /// The chart's div and the script that draws it, without plotly.js: for pages holding
    /// several charts that include plotly.js once (e.g. <see cref="PlotlyJsScriptTag"/>).
    /// </summary>
    public static string ToHtmlFragment(GenericChart chart, bool staticFallback = false)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var html = GenericChart.toChartHTML(chart);
        return staticFallback ? WithStaticFallback(html, chart) : html;
    }

    /// <summary>
    /// The chart for a notebook output: <see cref="ToHtmlFragment"/> with its static picture, drawn by the page's
    /// plotly.js when there is one, else by the plotly.js release Plotly.NET bundles, fetched from cdn.plot.ly
    /// (through require.js where the page has it, as classic Jupyter does). Inlining plotly.js (3.6 MB) even once
    /// would make every notebook with a chart larger than the 1.5 MB a committed notebook may take; offline, and in
    /// viewers without JavaScript (GitHub, nbviewer), the static picture stays.
    /// </summary>
    public static string ToNotebookHtml(GenericChart chart)
    {
        var html = ToHtmlFragment(chart, staticFallback: true);
        var render = RenderCall.Match(html);
        if (!render.Success)
            throw new InvalidOperationException("Plotly.NET's chart HTML no longer ends with the renderPlotly_ID(); call this loader expects.");
        string name = render.Groups["name"].Value;
        string loader = $$"""
            (function () {
                if (window.Plotly) { {{name}}(); return; }
                var src = '{{PlotlyJsCdnUrl}}';
                if (typeof window.requirejs === 'function') { window.requirejs([src], function (plotly) { window.Plotly = plotly; {{name}}(); }); return; }
                var script = document.createElement('script'); script.src = src; script.onload = {{name}}; document.head.appendChild(script);
            })();
            """;
        return html.Remove(render.Index, render.Length).Insert(render.Index, loader);
    }

    /// <summary>The CDN address of the plotly.js release that Plotly.NET bundles (the one its charts are written for).</summary>
    public static string PlotlyJsCdnUrl => $"https://cdn.plot.ly/{BundledPlotlyJsName.Value}";

    // Plotly.NET's chart HTML ends its script with the call renderPlotly_ID();
    private static readonly Regex RenderCall = new(@"(?<name>renderPlotly_[0-9a-f]+)\(\);", RegexOptions.Compiled | RegexOptions.RightToLeft);

    /// <summary>
    /// A static PNG of the chart (<see cref="StaticChartRenderer"/>), by default at the chart's
    /// layout size: for pages and viewers without JavaScript, and for files next to a report.
    /// </summary>
    public static byte[] ToPng(GenericChart chart, int? width = null, int? height = null)
    {
        using var image = StaticChartRenderer.Render(chart, width, height);
        return Png.Encode(image);
    }

    // Plotly.NET's chart HTML draws into <div id="ID"> with Plotly.newPlot('ID', ...).
    private static readonly Regex NewPlotCall = new(@"Plotly\.newPlot\('(?<id>[^']+)'", RegexOptions.Compiled);

    /// <summary>
    /// The chart's HTML with a static PNG inside its div, for viewers that run no JavaScript
    /// (GitHub's notebook view strips scripts, so a plotly.js div alone shows nothing). The script
    /// removes the picture just before plotly.js draws, so with JavaScript the chart is interactive;
    /// where plotly.js is missing the picture stays. A chart the renderer cannot draw (a trace type
    /// other than scatter or bar) keeps its HTML unchanged.
    /// </summary>
    private static string WithStaticFallback(string html, GenericChart chart)
    {
        var call = NewPlotCall.Match(html);
        string div = call.Success ? $"<div id=\"{call.Groups["id"].Value}\">" : "";
        int divAt = call.Success ? html.IndexOf(div, StringComparison.Ordinal) : -1;
        if (divAt < 0)
            throw new InvalidOperationException("Plotly.NET's chart HTML no longer has the <div id=...> and Plotly.newPlot('...') this fallback expects.");
        byte[] png;
        try { png = ToPng(chart); }
        catch (NotSupportedException) { return html; }
        string id = call.Groups["id"].Value, imageId = id + "-static";
        string img = $"<img id=\"{imageId}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" " +
            $"alt=\"{System.Net.WebUtility.HtmlEncode(Describe(chart))}\" style=\"max-width:100%;height:auto\"/>";
        string removal = $"if (window.Plotly) {{ var staticImage = document.getElementById('{imageId}'); if (staticImage) staticImage.remove(); }}\n    ";
        return html[..(divAt + div.Length)] + img + html[(divAt + div.Length)..call.Index] + removal + html[call.Index..];
    }

    /// <summary>Alt text: the chart's title and its traces' names.</summary>
    private static string Describe(GenericChart chart)
    {
        var figure = PlotlyFigure.Read(chart);
        string title = string.IsNullOrEmpty(figure.Title) ? "Chart" : figure.Title;
        var names = figure.Traces.Select(t => t.Name).OfType<string>().ToArray();
        return names.Length == 0 ? title : $"{title}: {string.Join(", ", names)}";
    }

    /// <summary>
    /// A script tag holding the plotly.js that Plotly.NET bundles (the same source
    /// <see cref="ToSelfContainedHtml"/> inlines), to include once in a page of fragments.
    /// </summary>
    public static string PlotlyJsScriptTag() => $"<script type=\"text/javascript\" charset=\"utf-8\">{BundledPlotlyJs.Value}</script>";

    private static readonly Lazy<string> BundledPlotlyJsResource = new(() =>
    {
        var assembly = typeof(GenericChart).Assembly;
        return assembly.GetManifestResourceNames().SingleOrDefault(n => Regex.IsMatch(n, @"plotly-[0-9.]+\.min\.js$"))
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} carries no plotly-*.min.js resource.");
    });

    // "plotly-2.27.1.min.js": the resource's file name.
    private static readonly Lazy<string> BundledPlotlyJsName = new(() => Regex.Match(BundledPlotlyJsResource.Value, @"plotly-[0-9.]+\.min\.js$").Value);

    private static readonly Lazy<string> BundledPlotlyJs = new(() =>
    {
        using var stream = typeof(GenericChart).Assembly.GetManifestResourceStream(BundledPlotlyJsResource.Value)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>Wider than Plotly.NET's 600x600 default: eight grouped bar columns or long curves need the width.</summary>
    private static GenericChart WithTitle(GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart).WithSize(900, 500);

    private static void CheckFinite(IEnumerable<double> values, string what)
    {
        foreach (var v in values)
            if (!double.IsFinite(v)) throw new ArgumentException($"{what}: non-finite value {v} cannot be charted.");
    }
}
