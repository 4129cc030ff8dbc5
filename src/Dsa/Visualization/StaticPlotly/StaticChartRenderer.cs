using Plotly.NET;
using SkiaSharp;

namespace Dsa.Visualization.StaticPlotly;

/// <summary>
/// Draws a static picture of a Plotly chart with SkiaSharp, for viewers that run no JavaScript
/// (GitHub's notebook view, nbviewer and nbconvert HTML without scripts), where the plotly.js div
/// shows nothing. It reads the chart's figure JSON (<see cref="PlotlyFigure"/>) and draws what
/// <see cref="Charts"/> uses: lines and markers, grouped bars with symmetric error bars and value
/// text, numeric or category x axes, linear or log y axes, a right-hand overlaying y2 axis, title
/// and legend, in the colours of the chart's template (plotly.js's default look: colourway,
/// light blue-grey plot area, white grid).
/// </summary>
public static class StaticChartRenderer
{
    // plotly.js's default font sizes: 12 px text, 17 px title; axis titles are drawn a little larger than ticks.
    private const float TickSize = 12f, AxisTitleSize = 14f, TitleSize = 17f, LegendSize = 12f, MinimumTitleSize = 9f;
    private const float Gap = 8f;
    private const float LegendSwatch = 28f;
    // plotly.js bar layout: bargap 0.2 (of the category width), bars of one category side by side.
    private const float BarGap = 0.2f;
    // plotly.js error bar defaults: 2 px thick, caps 4 px each side.
    private const float ErrorThickness = 2f, ErrorCap = 4f;
    private const double ValuePadding = 0.05;

    /// <summary>
    /// The chart as an image of <paramref name="width"/> x <paramref name="height"/> pixels (by
    /// default the chart's own layout size). Throws <see cref="NotSupportedException"/> for trace
    /// types it cannot draw (anything but scatter and vertical bar).
    /// </summary>
    public static SKImage Render(GenericChart chart, int? width = null, int? height = null)
    {
        var figure = PlotlyFigure.Read(chart);
        int w = width ?? figure.Width, h = height ?? figure.Height;
        if (w < 100 || h < 100 || w > 8000 || h > 8000)
            throw new ArgumentOutOfRangeException(width is null ? nameof(chart) : nameof(width), $"{w}x{h}",
                "A static chart needs between 100 and 8000 pixels each way.");
        using var surface = SKSurface.Create(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {w}x{h} surface.");
        Draw(surface.Canvas, figure, w, h);
        return surface.Snapshot();
    }

    private static void Draw(SKCanvas canvas, PlotlyFigure figure, int width, int height)
    {
        canvas.Clear(figure.PaperColour);
        var traces = figure.Traces;
        var categories = Categories(figure);
        bool categorical = categories.Count > 0;
        var y1Traces = traces.Where(t => !t.OnY2).ToList();
        var y2Traces = figure.Y2Axis is null ? [] : traces.Where(t => t.OnY2).ToList();

        // Margins from the text they must hold: probe scales give the tick labels' widths.
        var legend = traces.Where(t => t.ShowLegend && !string.IsNullOrEmpty(t.Name)).ToList();
        if (traces.Count < 2) legend.Clear(); // plotly.js shows a legend only for several traces
        float legendWidth = legend.Count == 0 ? 0 : LegendSwatch + Gap + legend.Max(t => Lettering.Width(t.Name!, LegendSize)) + 2 * Gap;
        float axisTitleHeight = Lettering.LineHeight(AxisTitleSize), tickHeight = Lettering.LineHeight(TickSize);
        // plotly.js clips a title wider than the figure; here it shrinks to fit from x = 0.05 to 0.98 of the width
        // (our serif face is wider than plotly's sans-serif, so titles that fit there would overflow here).
        // One that would need less than MinimumTitleSize is cut with an ellipsis instead.
        float titleSize = string.IsNullOrEmpty(figure.Title) ? TitleSize
            : Math.Max(MinimumTitleSize, Math.Min(TitleSize, TitleSize * 0.93f * width / Lettering.Width(figure.Title, TitleSize)));
        string? title = figure.Title;
        if (!string.IsNullOrEmpty(title) && Lettering.Width(title, titleSize) > 0.93f * width)
        {
            while (title.Length > 1 && Lettering.Width(title + "…", titleSize) > 0.93f * width) title = title[..^1];
            title = title.TrimEnd() + "…";
        }
        float top = string.IsNullOrEmpty(figure.Title) ? 2 * Gap : Lettering.LineHeight(titleSize) + 3 * Gap;
        var probeY1 = YScale(y1Traces, figure.YAxis, 0, 1);
        float y1Labels = probeY1.Ticks(6).Max(t => Lettering.Width(t.Label, TickSize));
        float left = Gap + (figure.YAxis.Title is null ? 0 : axisTitleHeight + Gap) + y1Labels + Gap;
        float y2Labels = y2Traces.Count == 0 ? 0 : YScale(y2Traces, figure.Y2Axis!, 0, 1).Ticks(6).Max(t => Lettering.Width(t.Label, TickSize));
        float right = y2Traces.Count == 0 ? 2 * Gap : Gap + y2Labels + Gap + (figure.Y2Axis!.Title is null ? 0 : axisTitleHeight + Gap);
        right += legendWidth;
        float plotLeft = left, plotRight = Math.Max(left + 10, width - right);

        // Category labels turn 35 degrees (as plotly.js turns them) when they would run into each other.
        float slot = categorical ? (plotRight - plotLeft) / categories.Count : 0;
        float widest = categorical ? categories.Max(c => Lettering.Width(c, TickSize)) : 0;
        bool turn = categorical && widest > slot - Gap;
        const float turnDegrees = 35f;
        float labelDrop = turn ? widest * MathF.Sin(turnDegrees * MathF.PI / 180) + tickHeight : tickHeight;
        float bottom = Gap + labelDrop + Gap + (figure.XAxis.Title is null ? 0 : axisTitleHeight + Gap);
        float plotTop = top, plotBottom = Math.Max(top + 10, height - bottom);
        var plot = new SKRect(plotLeft, plotTop, plotRight, plotBottom);

        var yScale = YScale(y1Traces, figure.YAxis, plot.Bottom, plot.Top);
        var y2Scale = y2Traces.Count == 0 ? null : YScale(y2Traces, figure.Y2Axis!, plot.Bottom, plot.Top);
        var xScale = categorical ? null : ChartScale.Fit(traces.SelectMany(t => t.X), figure.XAxis.Log, false,
            traces.All(t => t.Lines && !t.Markers) ? 0 : ValuePadding, plot.Left, plot.Right);

        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var stroke = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke };
        fill.Color = figure.PlotColour;
        canvas.DrawRect(plot, fill);

        // Grid (white lines on the plot area) and tick labels.
        stroke.Color = figure.GridColour;
        stroke.StrokeWidth = 1;
        float tickBaseline = plot.Bottom + Gap + Lettering.Ascent(TickSize);
        foreach (var (value, label) in yScale.Ticks(TickTarget(plot.Height, 50)))
        {
            float y = yScale.Map(value);
            canvas.DrawLine(plot.Left, y, plot.Right, y, stroke);
            Lettering.Draw(canvas, label, plot.Left - Gap, y + Lettering.Ascent(TickSize) / 2 - 1, TickSize, SKTextAlign.Right, figure.FontColour);
        }
        if (y2Scale is not null)
            foreach (var (value, label) in y2Scale.Ticks(TickTarget(plot.Height, 50)))
                Lettering.Draw(canvas, label, plot.Right + Gap, y2Scale.Map(value) + Lettering.Ascent(TickSize) / 2 - 1, TickSize, SKTextAlign.Left, figure.FontColour);
        if (xScale is not null)
            foreach (var (value, label) in xScale.Ticks(TickTarget(plot.Width, 100)))
            {
                float x = xScale.Map(value);
                canvas.DrawLine(x, plot.Top, x, plot.Bottom, stroke);
                Lettering.Draw(canvas, label, x, tickBaseline, TickSize, SKTextAlign.Center, figure.FontColour);
            }
        else
            for (int c = 0; c < categories.Count; c++)
            {
                float x = plot.Left + (c + 0.5f) * slot;
                if (!turn) { Lettering.Draw(canvas, categories[c], x, tickBaseline, TickSize, SKTextAlign.Center, figure.FontColour); continue; }
                canvas.Save();
                canvas.Translate(x, plot.Bottom + Gap + Lettering.Ascent(TickSize) / 2);
                canvas.RotateDegrees(-turnDegrees);
                Lettering.Draw(canvas, categories[c], 0, Lettering.Ascent(TickSize) / 2, TickSize, SKTextAlign.Right, figure.FontColour);
                canvas.Restore();
            }

        // Data, clipped to the plot area like plotly.js clips traces.
        canvas.Save();
        canvas.ClipRect(plot);
        float XOf(PlotlyTrace t, int i) => xScale?.Map(t.X[i]) ?? plot.Left + (categories.IndexOf(t.Categories![i]) + 0.5f) * slot;
        var bars = traces.Where(t => t.IsBar).ToList();
        float groupWidth = slot * (1 - BarGap), barWidth = bars.Count == 0 || !categorical ? 0 : groupWidth / bars.Count;
        foreach (var trace in bars.Where(_ => categorical))
        {
            var scale = trace.OnY2 && y2Scale is not null ? y2Scale : yScale;
            int k = bars.IndexOf(trace);
            for (int i = 0; i < trace.Y.Length; i++)
            {
                if (!double.IsFinite(trace.Y[i])) continue;
                float x0 = XOf(trace, i) - groupWidth / 2 + k * barWidth;
                float y = scale.Map(trace.Y[i]), zero = scale.Log ? plot.Bottom : scale.Map(0);
                var rect = new SKRect(x0, Math.Min(y, zero), x0 + barWidth, Math.Max(y, zero));
                fill.Color = trace.Colour;
                canvas.DrawRect(rect, fill);
                if (trace.Text is { } text && i < text.Length) BarText(canvas, text[i], rect, figure.FontColour);
            }
        }
        foreach (var trace in bars.Where(t => t.ErrorY is not null && categorical))
        {
            var scale = trace.OnY2 && y2Scale is not null ? y2Scale : yScale;
            int k = bars.IndexOf(trace);
            stroke.Color = figure.ErrorColour;
            stroke.StrokeWidth = ErrorThickness;
            stroke.PathEffect = null;
            for (int i = 0; i < trace.Y.Length; i++)
            {
                double e = trace.ErrorY![i];
                if (!double.IsFinite(trace.Y[i]) || !double.IsFinite(e) || e <= 0) continue;
                float x = XOf(trace, i) - groupWidth / 2 + (k + 0.5f) * barWidth;
                float yHigh = scale.Map(trace.Y[i] + e), yLow = scale.Map(trace.Y[i] - e);
                canvas.DrawLine(x, yLow, x, yHigh, stroke);
                canvas.DrawLine(x - ErrorCap, yHigh, x + ErrorCap, yHigh, stroke);
                canvas.DrawLine(x - ErrorCap, yLow, x + ErrorCap, yLow, stroke);
            }
        }
        foreach (var trace in traces.Where(t => !t.IsBar))
        {
            var scale = trace.OnY2 && y2Scale is not null ? y2Scale : yScale;
            var points = Enumerable.Range(0, trace.Y.Length)
                .Select(i => double.IsFinite(trace.Y[i]) && (trace.Categories is not null || double.IsFinite(trace.X[i])) && (!scale.Log || trace.Y[i] > 0)
                    ? new SKPoint(XOf(trace, i), scale.Map(trace.Y[i])) : (SKPoint?)null).ToList();
            if (trace.Lines)
            {
                using var path = new SKPath();
                bool pen = false;
                foreach (var p in points)
                {
                    if (p is not SKPoint q) { pen = false; continue; } // a gap in the data breaks the line (plotly.js connectgaps false)
                    if (pen) path.LineTo(q); else path.MoveTo(q);
                    pen = true;
                }
                LineStyle(stroke, trace);
                canvas.DrawPath(path, stroke);
                stroke.PathEffect = null;
            }
            if (trace.Markers)
                foreach (var p in points)
                    if (p is SKPoint q) Marker(canvas, trace, q, fill);
        }
        canvas.Restore();

        // Titles and legend.
        if (!string.IsNullOrEmpty(title))
            // plotly.js's template puts the title at x = 0.05 of the figure width, left-aligned.
            Lettering.Draw(canvas, title, width * 0.05f, Gap + Lettering.Ascent(titleSize), titleSize, SKTextAlign.Left, figure.FontColour);
        if (figure.XAxis.Title is { } xTitle)
            Lettering.Draw(canvas, xTitle, plot.MidX, height - Gap - Lettering.LineHeight(AxisTitleSize) + Lettering.Ascent(AxisTitleSize), AxisTitleSize,
                SKTextAlign.Center, figure.FontColour);
        if (figure.YAxis.Title is { } yTitle) VerticalTitle(canvas, yTitle, Gap + Lettering.Ascent(AxisTitleSize), plot.MidY, figure.FontColour);
        if (y2Scale is not null && figure.Y2Axis!.Title is { } y2Title)
            VerticalTitle(canvas, y2Title, plot.Right + Gap + y2Labels + Gap + Lettering.Ascent(AxisTitleSize), plot.MidY, figure.FontColour);
        float legendLeft = width - legendWidth + Gap, rowHeight = Lettering.LineHeight(LegendSize) + 6;
        for (int i = 0; i < legend.Count; i++)
        {
            var trace = legend[i];
            float mid = plot.Top + (i + 0.5f) * rowHeight;
            if (trace.IsBar)
            {
                fill.Color = trace.Colour;
                canvas.DrawRect(new SKRect(legendLeft + LegendSwatch / 2 - 6, mid - 6, legendLeft + LegendSwatch / 2 + 6, mid + 6), fill);
            }
            if (trace.Lines)
            {
                LineStyle(stroke, trace);
                canvas.DrawLine(legendLeft, mid, legendLeft + LegendSwatch, mid, stroke);
                stroke.PathEffect = null;
            }
            if (trace.Markers) Marker(canvas, trace, new SKPoint(legendLeft + LegendSwatch / 2, mid), fill);
            Lettering.Draw(canvas, trace.Name!, legendLeft + LegendSwatch + Gap, mid + Lettering.Ascent(LegendSize) / 2 - 1, LegendSize, SKTextAlign.Left,
                figure.FontColour);
        }
    }

    /// <summary>The x categories in plotly.js's order: layout.xaxis.categoryarray first, then others as the traces first name them.</summary>
    private static List<string> Categories(PlotlyFigure figure)
    {
        var order = new List<string>(figure.XAxis.CategoryArray ?? []);
        foreach (var trace in figure.Traces)
            foreach (var c in trace.Categories ?? [])
                if (!order.Contains(c)) order.Add(c);
        if (order.Count > 0 && figure.Traces.Any(t => t.Categories is null))
            throw new NotSupportedException("A chart mixing category and numeric x values has no static rendering.");
        return order;
    }

    private static ChartScale YScale(IReadOnlyList<PlotlyTrace> traces, PlotlyAxis axis, float pixelLow, float pixelHigh)
    {
        var values = traces.SelectMany(t => t.ErrorY is null ? t.Y : t.Y.SelectMany((y, i) => new[] { y - t.ErrorY[i], y + t.ErrorY[i] }));
        return ChartScale.Fit(values, axis.Log, traces.Any(t => t.IsBar), ValuePadding, pixelLow, pixelHigh);
    }

    private static int TickTarget(float pixels, float spacing) => Math.Max(2, (int)(pixels / spacing));

    private static void LineStyle(SKPaint stroke, PlotlyTrace trace)
    {
        stroke.Color = trace.Colour;
        stroke.StrokeWidth = PlotlyTrace.LineWidth;
        stroke.StrokeJoin = SKStrokeJoin.Round;
        stroke.PathEffect = trace.Dash is null ? null : SKPathEffect.CreateDash(trace.Dash, 0);
    }

    private static void Marker(SKCanvas canvas, PlotlyTrace trace, SKPoint at, SKPaint fill)
    {
        fill.Color = trace.Colour;
        float r = trace.MarkerSize / 2;
        if (!trace.Diamond) { canvas.DrawCircle(at, r, fill); return; }
        // plotly.js's diamond is 1.3x the circle's radius along each diagonal.
        float d = r * 1.3f;
        using var path = new SKPath();
        path.MoveTo(at.X, at.Y - d);
        path.LineTo(at.X + d, at.Y);
        path.LineTo(at.X, at.Y + d);
        path.LineTo(at.X - d, at.Y);
        path.Close();
        canvas.DrawPath(path, fill);
    }

    /// <summary>
    /// A bar's text as plotly.js's textposition "auto" places it: inside the bar's top end when it
    /// fits (turned upright in narrow bars), white on the bar; otherwise just above the bar.
    /// </summary>
    private static void BarText(SKCanvas canvas, string text, SKRect bar, SKColor outside)
    {
        float textWidth = Lettering.Width(text, TickSize), ascent = Lettering.Ascent(TickSize);
        if (textWidth + 4 <= bar.Width && ascent + 6 <= bar.Height)
        {
            Lettering.Draw(canvas, text, bar.MidX, bar.Top + 3 + ascent, TickSize, SKTextAlign.Center, SKColors.White);
            return;
        }
        bool upright = ascent + 2 <= bar.Width;
        if (upright && textWidth + 6 <= bar.Height)
        {
            canvas.Save();
            canvas.Translate(bar.MidX + ascent / 2 - 1, bar.Top + 3);
            canvas.RotateDegrees(-90);
            Lettering.Draw(canvas, text, 0, 0, TickSize, SKTextAlign.Right, SKColors.White);
            canvas.Restore();
            return;
        }
        Lettering.Draw(canvas, text, bar.MidX, bar.Top - 3, TickSize, SKTextAlign.Center, outside);
    }

    private static void VerticalTitle(SKCanvas canvas, string text, float baselineX, float midY, SKColor colour)
    {
        canvas.Save();
        canvas.Translate(baselineX, midY);
        canvas.RotateDegrees(-90);
        Lettering.Draw(canvas, text, 0, 0, AxisTitleSize, SKTextAlign.Center, colour);
        canvas.Restore();
    }
}
