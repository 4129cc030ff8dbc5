using Dsa.Visualization;
using Dsa.Visualization.StaticPlotly;
using Plotly.NET;
using SkiaSharp;

namespace Dsa.Tests.Visualization;

public class StaticChartRendererTests
{
    // plotly.js's default colourway, first three: the charts set no colours of their own.
    private static readonly SKColor First = SKColor.Parse("#636efa"), Second = SKColor.Parse("#EF553B"), Third = SKColor.Parse("#00cc96");
    private static readonly SKColor ErrorBar = new(42, 63, 95);

    private static IReadOnlyDictionary<string, double> Row(params double[] values) =>
        Charts.ApColumns.Zip(values).ToDictionary(p => p.First, p => p.Second);

    /// <summary>Runs of consecutive columns holding <paramref name="colour"/> in row <paramref name="y"/>: (first, last) x.</summary>
    private static List<(int First, int Last)> RunsInRow(SKColor[,] pixels, int y, SKColor colour, int tolerance = 10)
    {
        var runs = new List<(int, int)>();
        int start = -1;
        for (int x = 0; x <= pixels.GetLength(1); x++)
        {
            bool hit = x < pixels.GetLength(1) && Pixels.Distance(pixels[y, x], colour) <= tolerance;
            if (hit && start < 0) start = x;
            if (!hit && start >= 0) { runs.Add((start, x - 1)); start = -1; }
        }
        return runs;
    }

    /// <summary>Topmost and bottommost rows of column <paramref name="x"/> holding <paramref name="colour"/>.</summary>
    private static (int Top, int Bottom) Extent(SKColor[,] pixels, int x, SKColor colour, int tolerance = 10)
    {
        var rows = Enumerable.Range(0, pixels.GetLength(0)).Where(y => Pixels.Distance(pixels[y, x], colour) <= tolerance).ToList();
        Assert.True(rows.Count > 0, $"no pixel of {colour} in column {x}");
        return (rows.Min(), rows.Max());
    }

    /// <summary>Mean row of the pixels of <paramref name="colour"/> between columns <paramref name="x0"/> and <paramref name="x1"/>.</summary>
    private static double MeanRow(SKColor[,] pixels, SKColor colour, int x0, int x1)
    {
        var rows = new List<int>();
        for (int y = 0; y < pixels.GetLength(0); y++)
            for (int x = x0; x <= x1; x++)
                if (Pixels.Distance(pixels[y, x], colour) <= 12) rows.Add(y);
        Assert.True(rows.Count > 0, $"no pixel of {colour} between columns {x0} and {x1}");
        return rows.Average();
    }

    [Fact]
    public void ImageHasTheRequestedSizeOrTheChartsLayoutSize()
    {
        var chart = Charts.AblationBars(new[] { new AblationBar("complete", 70.1, 0.8, 77.8) });
        using (var image = StaticChartRenderer.Render(chart, 640, 360)) Assert.Equal((640, 360), (image.Width, image.Height));
        using (var image = StaticChartRenderer.Render(chart)) Assert.Equal((900, 500), (image.Width, image.Height)); // Charts' WithSize(900, 500)
        using var decoded = SKBitmap.Decode(Charts.ToPng(chart, 300, 200));
        Assert.Equal((300, 200), (decoded.Width, decoded.Height));
        Assert.Throws<ArgumentOutOfRangeException>(() => StaticChartRenderer.Render(chart, 10, 10));
    }

    [Fact]
    public void GroupedBarsAreInColourwayOrderAndTheirHeightsFollowTheValues()
    {
        var ours = Row(80, 40, 60, 20, 50, 30, 70, 50);
        var theirs = Row(40, 80, 30, 60, 25, 65, 35, 45);
        using var image = StaticChartRenderer.Render(Charts.PerJointApBars(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["ours"] = ours, ["theirs"] = theirs,
        }));
        var pixels = Pixels.All(image);
        // A row just above the bars' common baseline crosses every bar (and the legend swatches are higher up).
        int baseline = Enumerable.Range(0, image.Height).Last(y => RunsInRow(pixels, y, First).Count == 8);
        var firstBars = RunsInRow(pixels, baseline, First).Where(r => r.Last - r.First > 5).ToList();
        var secondBars = RunsInRow(pixels, baseline, Second).Where(r => r.Last - r.First > 5).ToList();
        Assert.Equal(8, firstBars.Count);
        Assert.Equal(8, secondBars.Count);
        for (int c = 0; c < 8; c++)
        {
            // Within a category the first trace's bar is left of the second's, touching it (plotly.js bargroupgap 0).
            Assert.InRange(secondBars[c].First - firstBars[c].Last, 0, 3);
            double heightOurs = baseline - Extent(pixels, (firstBars[c].First + firstBars[c].Last) / 2, First).Top;
            double heightTheirs = baseline - Extent(pixels, (secondBars[c].First + secondBars[c].Last) / 2, Second).Top;
            // Bars grow from 0, so heights are in proportion to the values (to within a pixel or two).
            double expected = ours[Charts.ApColumns[c]] / theirs[Charts.ApColumns[c]];
            Assert.InRange(heightOurs / heightTheirs, expected * 0.96, expected * 1.04);
        }
    }

    [Fact]
    public void ErrorBarsAppearAboveBarsWithASpreadAndNotAboveBarsWithout()
    {
        using var image = StaticChartRenderer.Render(Charts.AblationBars(new[] { new AblationBar("spread", 50, 10), new AblationBar("exact", 50, 0) }));
        var pixels = Pixels.All(image);
        int baseline = Enumerable.Range(0, image.Height).Last(y => RunsInRow(pixels, y, First).Count == 2);
        var bars = RunsInRow(pixels, baseline, First);
        Assert.Equal(2, bars.Count);
        int spreadCentre = (bars[0].First + bars[0].Last) / 2, exactCentre = (bars[1].First + bars[1].Last) / 2;
        int barTop = Extent(pixels, bars[0].First + 2, First).Top;
        var spreadError = Extent(pixels, spreadCentre, ErrorBar, 25);
        // mean 50 +- 10 on a 0-based axis: the error bar reaches 60/50 of the bar's height above the baseline.
        double reach = (baseline - spreadError.Top) / (double)(baseline - barTop);
        Assert.InRange(reach, 1.15, 1.25);
        Assert.DoesNotContain(Enumerable.Range(0, barTop - 2), y => Pixels.Distance(pixels[y, exactCentre], ErrorBar) <= 25);
    }

    [Fact]
    public void LogAxisPutsLargerLossesHigherAndDecadesEvenlyApart()
    {
        IReadOnlyList<(long, double)> Flat(double loss) => Enumerable.Range(0, 30).Select(i => ((long)i, loss)).ToArray();
        var runs = new Dictionary<string, IReadOnlyList<(long Step, double Loss)>> { ["a"] = Flat(1e-1), ["b"] = Flat(1e-2), ["c"] = Flat(1e-3) };
        using var image = StaticChartRenderer.Render(Charts.LossCurves(runs));
        var pixels = Pixels.All(image);
        // Columns in the middle of the plot, away from the legend on the right.
        int x0 = image.Width / 3, x1 = image.Width / 2;
        double a = MeanRow(pixels, First, x0, x1), b = MeanRow(pixels, Second, x0, x1), c = MeanRow(pixels, Third, x0, x1);
        Assert.True(a < b && b < c, $"rows {a:F1}, {b:F1}, {c:F1}: 1e-1 must be above 1e-2, above 1e-3");
        // On a linear axis 1e-2 would sit next to 1e-3 (gaps 90:9); on a log axis the gaps are equal.
        Assert.InRange((b - a) / (c - b), 0.97, 1.03);
    }

    [Fact]
    public void LearningRateGetsItsOwnAxisSpanningThePlot()
    {
        var runs = new Dictionary<string, IReadOnlyList<(long Step, double Loss)>> { ["run"] = new[] { (0L, 1.0), (100L, 0.1) } };
        var lr = new Dictionary<string, IReadOnlyList<(long Step, double LearningRate)>> { ["run"] = new[] { (0L, 1e-3), (100L, 1e-4) } };
        using var image = StaticChartRenderer.Render(Charts.LossCurves(runs, lr));
        var pixels = Pixels.All(image);
        // Rows holding the dashed rate line, left of the legend (which sits at the right edge).
        var rows = Enumerable.Range(0, image.Height)
            .Where(y => Enumerable.Range(0, image.Width - 250).Any(x => Pixels.Distance(pixels[y, x], Second) <= 12)).ToList();
        // On the loss axis (log, 0.1..1) a rate of 1e-4..1e-3 would fall below the plot and be clipped;
        // on its own right-hand axis it falls from near the plot's top to near its bottom.
        Assert.NotEmpty(rows);
        Assert.True(rows.Max() - rows.Min() > image.Height / 2, $"rate line spans rows {rows.Min()}..{rows.Max()} of {image.Height}");
    }

    [Fact]
    public void UnsupportedTraceTypesSayWhich()
    {
        var heatmap = Plotly.NET.CSharp.Chart.Heatmap<double, int, int, string>(zData: new[] { new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 } });
        var e = Assert.Throws<NotSupportedException>(() => StaticChartRenderer.Render(heatmap));
        Assert.Contains("heatmap", e.Message);
    }
    [Theory]
    [InlineData(2)] // shrinks to fit
    [InlineData(6)] // too long even at the smallest title size: cut with an ellipsis
    public void ALongTitleStaysInsideTheImage(int repeats)
    {
        var bars = new List<AblationBar> { new("a", 50, 1, 70), new("b", 55, 2, 72) };
        string title = string.Concat(Enumerable.Repeat("Tables 4-5 on synthetic videos, mean and std over seeds; ", repeats));
        using var image = StaticChartRenderer.Render(Charts.AblationBars(bars, title: title), 900, 500);
        var pixels = Pixels.All(image);
        // The title band (top 30 rows): ink reaches past the middle, but the right-most 2 % stay background.
        var background = pixels[2, image.Width - 2];
        bool Ink(int x) => Enumerable.Range(0, 30).Any(y => Pixels.Distance(pixels[y, x], background) > 60);
        Assert.Contains(Enumerable.Range(image.Width / 2, image.Width / 3), Ink);
        Assert.DoesNotContain(Enumerable.Range(image.Width - image.Width / 50, image.Width / 50), Ink);
    }
}
