using System.Text.Json;
using System.Text.RegularExpressions;
using Dsa.Data;
using Dsa.Evaluation;
using Dsa.Visualization;
using Plotly.NET;

namespace Dsa.Tests.Visualization;

public class ChartsTests
{
    private static readonly double[] PaperPt17 = { 82.9, 84.2, 80.9, 73.6, 76.8, 76.2, 70.0, 77.8 };

    private static IReadOnlyDictionary<string, double> Row(double[] values) =>
        Charts.ApColumns.Zip(values).ToDictionary(p => p.First, p => p.Second);

    /// <summary>The traces (the `data` array) and layout of a chart, as Plotly.NET writes them into HTML.</summary>
    private static (JsonElement Data, JsonElement Layout) Json(GenericChart chart)
    {
        var html = Charts.ToHtmlFragment(chart);
        var data = Regex.Match(html, @"var data = (\[.*?\]);\r?\n", RegexOptions.Singleline);
        var layout = Regex.Match(html, @"var layout = (\{.*?\});\r?\n", RegexOptions.Singleline);
        Assert.True(data.Success && layout.Success, "chart HTML holds no data/layout");
        return (JsonDocument.Parse(data.Groups[1].Value).RootElement, JsonDocument.Parse(layout.Groups[1].Value).RootElement);
    }

    [Fact]
    public void SelfContainedHtmlEmbedsPlotlyJsAndLinksNoCdn()
    {
        var chart = Charts.AblationBars(new[] { new AblationBar("complete", 70.1, 0.8, 77.8) });
        var html = Charts.ToSelfContainedHtml(chart);
        Assert.StartsWith("<!DOCTYPE html>", html.TrimStart(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotMatch(new Regex(@"<script[^>]*\bsrc\s*=", RegexOptions.IgnoreCase), html);
        // The largest inline script is the plotly.js bundle (megabytes).
        var scripts = Regex.Matches(html, @"<script[^>]*>(.*?)</script>", RegexOptions.Singleline);
        Assert.True(scripts.Max(m => m.Groups[1].Length) > 1_000_000, "no inline plotly.js source");
        Assert.Contains("plotly.js v", html);
    }

    [Fact]
    public void HtmlFragmentHasTheChartButNotPlotlyJs()
    {
        var fragment = Charts.ToHtmlFragment(Charts.AblationBars(new[] { new AblationBar("complete", 70.1, 0.8) }));
        Assert.Contains("<div", fragment);
        Assert.Contains("Plotly.newPlot", fragment);
        Assert.True(fragment.Length < 50_000, $"fragment of {fragment.Length} chars seems to include plotly.js");
        Assert.DoesNotContain("<html", fragment);
        var tag = Charts.PlotlyJsScriptTag();
        Assert.StartsWith("<script", tag);
        Assert.True(tag.Length > 1_000_000);
    }

    [Fact]
    public void PerJointApBarsUseThePaperColumnOrderForEveryMethod()
    {
        var ours = PaperPt17.Select(v => v - 4).ToArray();
        // The dictionary order of the columns is scrambled on purpose: the chart must not follow it.
        var scrambled = Charts.ApColumns.Reverse().ToDictionary(c => c, c => ours[Charts.ApColumns.ToList().IndexOf(c)]);
        var chart = Charts.PerJointApBars(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["DSA (paper)"] = Row(PaperPt17),
            ["this workbench"] = scrambled,
        });
        var expected = Skeleton.ReportColumns.Append("mAP").ToArray();
        Assert.Equal(new[] { "Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "mAP" }, expected);
        var (data, layout) = Json(chart);
        Assert.Equal(2, data.GetArrayLength());
        foreach (var trace in data.EnumerateArray())
        {
            Assert.Equal("bar", trace.GetProperty("type").GetString());
            Assert.Equal(expected, trace.GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        }
        Assert.Equal(ours, data[1].GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(expected, layout.GetProperty("xaxis").GetProperty("categoryarray").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void PerJointApBarsLeaveOutColumnsThePaperDoesNotPrintAndRejectUnknownOnes()
    {
        // Table 2's STAF row prints only Wrist, Ankle and mAP.
        var staf = PaperResults.PoseTrack18Val.Single(r => r.Method.StartsWith("STAF"));
        var row = Charts.ApRow(staf);
        Assert.Equal(new[] { "Wrist", "Ankle", "mAP" }, row.Keys.OrderBy(k => Charts.ApColumns.ToList().IndexOf(k)));
        var dsa = Charts.ApRow(PaperResults.PoseTrack18Val.Single(r => r.Method == "DSA"));
        var (data, _) = Json(Charts.PerJointApBars(new Dictionary<string, IReadOnlyDictionary<string, double>> { ["STAF"] = row, ["DSA"] = dsa }));
        Assert.Equal(new[] { "Wrist", "Ankle", "mAP" }, data[0].GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(new[] { 64.7, 62.0, 70.4 }, data[0].GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(Charts.ApColumns, data[1].GetProperty("x").EnumerateArray().Select(e => e.GetString()));

        var typo = Row(PaperPt17).ToDictionary(p => p.Key == "Wrist" ? "Wirst" : p.Key, p => p.Value);
        var e = Assert.Throws<ArgumentException>(() => Charts.PerJointApBars(
            new Dictionary<string, IReadOnlyDictionary<string, double>> { ["ours"] = typo }));
        Assert.Contains("'ours'", e.Message);
        Assert.Contains("'Wirst'", e.Message);
    }

    [Fact]
    public void AblationBarsCarryStdErrorBarsAndPaperMarkers()
    {
        var chart = Charts.AblationBars(new[]
        {
            new AblationBar("complete", 70.1, 0.8, 77.8),
            new AblationBar("single-frame", 66.0, 1.1),
            new AblationBar("r/m GAB", 67.5, 0.5, 74.3),
        });
        var (data, _) = Json(chart);
        var bars = data[0];
        Assert.Equal(new[] { "complete", "single-frame", "r/m GAB" }, bars.GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(new[] { 0.8, 1.1, 0.5 }, bars.GetProperty("error_y").GetProperty("array").EnumerateArray().Select(e => e.GetDouble()));
        var paper = data[1];
        Assert.Equal("markers", paper.GetProperty("mode").GetString());
        Assert.Equal(new[] { "complete", "r/m GAB" }, paper.GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(new[] { 77.8, 74.3 }, paper.GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));
    }

    [Fact]
    public void LossCurvesPutLearningRateOnASecondAxis()
    {
        var runs = new Dictionary<string, IReadOnlyList<(long Step, double Loss)>>
        {
            ["complete"] = new[] { (0L, 1e-3), (100L, 5e-4), (200L, 3e-4) },
            ["r/m LEB"] = new[] { (0L, 1.1e-3), (100L, 6e-4) },
        };
        var lr = new Dictionary<string, IReadOnlyList<(long Step, double LearningRate)>> { ["complete"] = new[] { (0L, 1e-3), (200L, 1e-4) } };
        var (data, layout) = Json(Charts.LossCurves(runs, lr));
        Assert.Equal(3, data.GetArrayLength());
        Assert.Equal(new[] { 0L, 100, 200 }, data[0].GetProperty("x").EnumerateArray().Select(e => e.GetInt64()));
        Assert.False(data[0].TryGetProperty("yaxis", out _));
        Assert.Equal("y2", data[2].GetProperty("yaxis").GetString());
        Assert.Equal("log", layout.GetProperty("yaxis").GetProperty("type").GetString());
        Assert.Equal("y", layout.GetProperty("yaxis2").GetProperty("overlaying").GetString());
        Assert.Equal("right", layout.GetProperty("yaxis2").GetProperty("side").GetString());

        var bad = new Dictionary<string, IReadOnlyList<(long Step, double Loss)>> { ["nan run"] = new[] { (0L, double.NaN) } };
        Assert.Contains("nan run", Assert.Throws<ArgumentException>(() => Charts.LossCurves(bad)).Message);
    }

    [Fact]
    public void LearningRateSchedulesDrawOneLinePerReadingOnALogAxisAndRefuseZero()
    {
        var chart = Charts.LearningRateSchedules(new Dictionary<string, IReadOnlyList<double>> { ["a"] = [1e-3, 1e-4], ["b"] = [1e-3, 9e-4] }, title: "lr");
        Assert.Equal(2, Plotly.NET.GenericChart.getTraces(chart).Length);
        Assert.Contains("\"type\":\"log\"", Charts.ToHtmlFragment(chart));
        Assert.Throws<ArgumentException>(() => Charts.LearningRateSchedules(new Dictionary<string, IReadOnlyList<double>> { ["zero"] = [1e-3, 0] }));
    }
}
