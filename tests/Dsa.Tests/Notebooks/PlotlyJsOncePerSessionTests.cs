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
            Assert.True(second.Length < 20_000, $"run {run}: second chart is {second.Length} chars");
            Assert.Contains("newPlot", second);
        }
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
