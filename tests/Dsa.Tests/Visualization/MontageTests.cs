using Dsa.Visualization;
using SkiaSharp;

namespace Dsa.Tests.Visualization;

public class MontageTests
{
    [Fact]
    public void GridPlacesPanelsInRowsWithTitlesAboveThem()
    {
        var red = new SKColor(200, 0, 0);
        using var a = Pixels.Uniform(40, 30, red);
        using var b = Pixels.Uniform(20, 50, red);
        var panels = new[] { new MontagePanel("a", a), new MontagePanel("b", b), new MontagePanel("c", a) };
        using var grid = Montage.Grid(panels, columns: 2, gap: 10);
        // Cells are 40 wide, 50 tall plus a title line; 2 columns, 2 rows.
        Assert.Equal(2 * 40 + 3 * 10, grid.Width);
        Assert.True(grid.Height > 2 * 50 + 3 * 10 + 2 * 12, $"height {grid.Height} leaves no room for titles");
        var px = Pixels.All(grid);
        Assert.Equal(red, px[grid.Height - 10 - 25, 10 + 20]);            // middle of panel c (bottom-left cell)
        // Title text is dark ink on the light background.
        bool hasInk = false;
        for (int y = 10; y < 10 + 14; y++)
            for (int x = 10; x < 50; x++)
                hasInk |= px[y, x].Red < 120;
        Assert.True(hasInk, "no title text drawn above the first panel");
    }

    [Fact]
    public void RowPutsImagesSideBySide()
    {
        using var a = Pixels.Uniform(10, 20, SKColors.Blue);
        using var b = Pixels.Uniform(30, 10, SKColors.Blue);
        using var row = Montage.Row(new[] { a, b }, gap: 5);
        Assert.Equal((10 + 30 + 3 * 5, 20 + 2 * 5), (row.Width, row.Height));
    }
}
