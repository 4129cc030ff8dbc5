using Dsa.Interactive;
using Microsoft.Data.Analysis;
using Plotly.NET;
using SkiaSharp;
using TorchSharp;

namespace Dsa.Tests.Notebooks;

public sealed class DsaFormattersTests
{
    [Fact]
    public void ImageBundleIsDecodablePng()
    {
        using var surface = SKSurface.Create(new SKImageInfo(5, 2));
        surface.Canvas.Clear(SKColors.Blue);
        using var image = surface.Snapshot();
        var bundle = DsaFormatters.ToMimeBundle(image);
        using var decoded = SKBitmap.Decode(Convert.FromBase64String(bundle["image/png"]));
        Assert.Equal((5, 2), (decoded.Width, decoded.Height));
        Assert.Equal(SKColors.Blue, decoded.GetPixel(4, 1));
        Assert.Equal("SKImage 5x2 px", bundle["text/plain"]);
    }

    [Fact]
    public void DataFrameHtmlHasHeadersAndOneDecimalNumbers()
    {
        var frame = new DataFrame(
            new StringDataFrameColumn("video", ["a", "b"]),
            new PrimitiveDataFrameColumn<double>("mAP", [81.26, 79.04]),
            new PrimitiveDataFrameColumn<int>("frames", [30, 41]));
        var bundle = DsaFormatters.ToMimeBundle(frame);
        string html = bundle["text/html"];
        Assert.Contains("<th>video</th>", html);
        Assert.Contains("<th>mAP</th>", html);
        Assert.Contains("<th>frames</th>", html);
        Assert.Contains("<td>81.3</td>", html);
        Assert.Contains("<td>79.0</td>", html);
        Assert.Contains("<td>41</td>", html);
        Assert.StartsWith("DataFrame 2 rows x 3 columns", bundle["text/plain"]);
        Assert.Contains("81.3", bundle["text/plain"]);
    }

    [Fact]
    public void ChartHtmlLeavesPlotlyJsOutAndLoadsThePinnedReleaseOnlyWhenThePageLacksIt()
    {
        var chart = Plotly.NET.CSharp.Chart.Line<int, double, string>(x: new[] { 1, 2, 3 }, y: new[] { 0.5, 0.25, 0.125 });
        var bundle = DsaFormatters.ToMimeBundle(chart);
        string html = bundle["text/html"];
        // plotly.js announces itself in its licence header: it is not inlined (3.6 MB would exceed a notebook's 1.5 MB).
        Assert.DoesNotContain("plotly.js v", html);
        Assert.True(html.Length < 300_000, $"HTML is {html.Length} chars");
        Assert.Matches(@"^https://cdn\.plot\.ly/plotly-[0-9]+\.[0-9]+\.[0-9]+\.min\.js$", Dsa.Visualization.Charts.PlotlyJsCdnUrl);
        Assert.Contains($"var src = '{Dsa.Visualization.Charts.PlotlyJsCdnUrl}';", html);
        // The page's plotly.js is used first; the render function is called by the loader, not unconditionally.
        var render = System.Text.RegularExpressions.Regex.Match(html, @"if \(window\.Plotly\) \{ (renderPlotly_[0-9a-f]+)\(\); return; \}");
        Assert.True(render.Success, "no loader that prefers the page's plotly.js");
        Assert.DoesNotMatch($@"(?m)^{render.Groups[1].Value}\(\);", html); // Plotly.NET's unconditional call is gone
        Assert.Contains("newPlot", html);
        Assert.Equal("Plotly chart (1 traces)", bundle["text/plain"]);
    }

    [Fact]
    public void ChartBundleCarriesAStaticPngBesideTheHtmlAndInsideTheChartDiv()
    {
        var chart = Dsa.Visualization.Charts.AblationBars(new[] { new Dsa.Visualization.AblationBar("complete", 70.1, 0.8, 77.8) });
        var bundle = DsaFormatters.ToMimeBundle(chart);
        Assert.Equal(new[] { "image/png", "text/html", "text/plain" }, bundle.Keys.Order());
        using (var png = SKBitmap.Decode(Convert.FromBase64String(bundle["image/png"])))
            Assert.Equal((900, 500), (png.Width, png.Height));
        string html = bundle["text/html"];
        var plot = System.Text.RegularExpressions.Regex.Match(html, @"Plotly\.newPlot\('([^']+)'");
        Assert.True(plot.Success, "no Plotly.newPlot call");
        string id = plot.Groups[1].Value;
        var img = System.Text.RegularExpressions.Regex.Match(html,
            $@"<div id=""{id}""><img id=""{id}-static"" src=""data:image/png;base64,([A-Za-z0-9+/=]+)"" alt=""([^""]+)""");
        Assert.True(img.Success, "the chart's div does not start with the static image");
        Assert.Contains("Ablation (mAP)", img.Groups[2].Value);
        Assert.Equal(bundle["image/png"], img.Groups[1].Value);
        // The image is removed (only where plotly.js is there to replace it) before the chart is plotted.
        int removal = html.IndexOf($"getElementById('{id}-static')", StringComparison.Ordinal);
        Assert.InRange(removal, 0, plot.Index);
        Assert.True(removal > img.Index);
    }

    [Fact]
    public void TensorSummaryNamesShapeDtypeAndDevice()
    {
        using var tensor = torch.zeros(2, 3, 4, dtype: torch.float64);
        Assert.Equal("Tensor [2, 3, 4] Float64 cpu", DsaFormatters.ToMimeBundle(tensor)["text/plain"]);
    }

    [Fact]
    public void RegisterIsIdempotentAndPlainValuesStayText()
    {
        DsaFormatters.Register();
        DsaFormatters.Register();
        Assert.Equal("hello", Assert.Single(DsaFormatters.ToMimeBundle("hello")).Value);
        Assert.Equal("42", Assert.Single(DsaFormatters.ToMimeBundle(42)).Value);
    }

    [Fact]
    public void ALargePhotoLikePictureIsStoredAsJpegAndASmallOneStaysPng()
    {
        var random = new Random(1);
        using var noise = new SKBitmap(600, 400);
        for (int y = 0; y < noise.Height; y++)
            for (int x = 0; x < noise.Width; x++)
                noise.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        var large = DsaFormatters.ToMimeBundle(noise);
        Assert.Equal(new[] { "image/jpeg", "text/plain" }, large.Keys.Order());
        using (var decoded = SKBitmap.Decode(Convert.FromBase64String(large["image/jpeg"])))
            Assert.Equal((600, 400), (decoded.Width, decoded.Height));
        using var small = new SKBitmap(40, 30);
        Assert.Equal(new[] { "image/png", "text/plain" }, DsaFormatters.ToMimeBundle(small).Keys.Order());
    }
}
