using Dsa.Interactive;
using Dsa.Notebooks;
using static Dsa.Tests.Notebooks.NotebookTestKit;

namespace Dsa.Tests.Notebooks;

public sealed class PlotlyJsOncePerSessionTests
{
    // plotly.js announces itself in its licence header; Plotly.NET's chart script calls Plotly.newPlot.
    private const string PlotlyJsMarker = "plotly.js v";

    private const string LineChart = "Chart.Line<int, double, string>(x: new[] { 1, 2, 3 }, y: new[] { 0.5, 0.25, 0.125 })";

    [Fact]
    public void OnlyTheFirstChartOfANotebookRunCarriesPlotlyJsAndTheNextRunCarriesItAgain()
    {
        var notebook = new NotebookTemplate()
            .Code($"display({LineChart});")
            .Code(LineChart)
            .Build();
        for (int run = 0; run < 2; run++)
        {
            var (_, result) = Run(notebook);
            Assert.True(result.Succeeded, result.Failure);
            string first = Text(Assert.Single(Outputs(notebook.Cells[0], "display_data"))["data"]!["text/html"]);
            string second = Text(Assert.Single(Outputs(notebook.Cells[1], "execute_result"))["data"]!["text/html"]);
            Assert.Contains(PlotlyJsMarker, first);
            Assert.True(first.Length > 1_000_000, $"run {run}: first chart is {first.Length} chars: plotly.js does not seem embedded");
            Assert.DoesNotContain(PlotlyJsMarker, second);
            Assert.True(second.Length < 300_000, $"run {run}: second chart is {second.Length} chars (its static PNG is tens of KB; plotly.js is 3.6 MB)");
            Assert.Contains("newPlot", second);
        }
    }

    [Theory]
    [InlineData("var shown = display(CHART);", "shown.Update(CHART);")]
    [InlineData("display(CHART); Display.Clear(); display(CHART);", "")]
    public void WhenTheFirstChartIsReplacedOrClearedTheSavedNotebookStillCarriesPlotlyJsOnce(string first, string second)
    {
        var (notebook, result) = Run(first.Replace("CHART", LineChart), second.Replace("CHART", LineChart), $"display({LineChart});");
        Assert.True(result.Succeeded, result.Failure);
        var charts = notebook.Cells.SelectMany(c => Outputs(c, "display_data").Select(o => (Cell: notebook.Cells.IndexOf(c), Html: Text(o["data"]!["text/html"])))).ToList();
        Assert.Equal([0, 2], charts.Select(c => c.Cell));
        Assert.Contains(PlotlyJsMarker, charts[0].Html);
        Assert.DoesNotContain(PlotlyJsMarker, charts[1].Html);
        Assert.All(charts, c => Assert.Contains("newPlot", c.Html));
    }

    [Fact]
    public void AScopeEmbedsOnceAndNoScopeAlwaysEmbeds()
    {
        var chart = Plotly.NET.CSharp.Chart.Line<int, double, string>(x: new[] { 1, 2 }, y: new[] { 1.0, 2.0 });
        var scope = new PlotlyJsScope();
        string first, second;
        using (DsaFormatters.Attach(scope))
        {
            first = DsaFormatters.ToMimeBundle(chart)["text/html"];
            second = DsaFormatters.ToMimeBundle(chart)["text/html"];
        }
        Assert.True(scope.Embedded);
        Assert.Contains(PlotlyJsMarker, first);
        Assert.DoesNotContain(PlotlyJsMarker, second);
        Assert.Contains("newPlot", second);
        // Outside the scope (a report, a test): self-contained again.
        Assert.Contains(PlotlyJsMarker, DsaFormatters.ToMimeBundle(chart)["text/html"]);
    }
}
