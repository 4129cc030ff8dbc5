using Dsa.Notebooks;

namespace Dsa.Tests.Notebooks;

/// <summary>
/// The committed notebooks stay thin and light: code cells of at most 15 non-blank lines, no code line longer than 100
/// characters (longer ones run off the right edge of the rendered HTML view), no block of 3 or more lines repeated
/// between notebooks (shared setup lives in the library: NotebookWorkspace), each file at most 1.5 MB and all of them at
/// most 8 MB (no inlined plotly.js), and every chart output with its static image/png.
/// </summary>
public sealed class NotebookShapeTests
{
    private const int MaxCellLines = 15, RepeatedBlock = 3, MaxLineLength = 100;
    private const long MaxNotebookBytes = 1_500_000, MaxTotalBytes = 8_000_000;

    private static IReadOnlyList<string> NotebookPaths() =>
        Directory.GetFiles(Path.Combine(Infrastructure.Fixtures.RepoRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal).ToList();

    private static IEnumerable<(string Notebook, int Cell, string[] Lines)> CodeCells() =>
        NotebookPaths().SelectMany(path => NotebookJson.Read(path).Cells.Select((c, i) => (Cell: c, Index: i)).Where(x => x.Cell.IsCode)
            .Select(x => (Path.GetFileName(path), x.Index, x.Cell.Source.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray())));

    [Fact]
    public void EveryCodeCellHasAtMostFifteenNonBlankLines()
    {
        var longCells = CodeCells().Where(c => c.Lines.Length > MaxCellLines).Select(c => $"{c.Notebook} cell {c.Cell}: {c.Lines.Length} lines").ToList();
        Assert.True(longCells.Count == 0, "cells over 15 non-blank lines:\n" + string.Join("\n", longCells));
    }

    [Fact]
    public void NoCodeLineIsLongerThanOneHundredCharacters()
    {
        var longLines = NotebookPaths().SelectMany(path => NotebookJson.Read(path).Cells
            .Select((cell, index) => (Cell: cell, Index: index)).Where(x => x.Cell.IsCode)
            .SelectMany(x => x.Cell.Source.Split('\n').Select(line => line.TrimEnd('\r'))
                .Select((line, n) => (Line: n + 1, Length: line.Length)).Where(l => l.Length > MaxLineLength)
                .Select(l => $"{Path.GetFileName(path)} cell {x.Index} line {l.Line}: {l.Length} characters")))
            .ToList();
        Assert.True(longLines.Count == 0, $"code lines over {MaxLineLength} characters:\n" + string.Join("\n", longLines));
    }

    [Fact]
    public void NoBlockOfThreeLinesIsRepeatedBetweenNotebooks()
    {
        var seen = new Dictionary<string, (string Notebook, int Cell)>();
        var repeats = new List<string>();
        foreach (var (notebook, cell, lines) in CodeCells())
            for (int i = 0; i + RepeatedBlock <= lines.Length; i++)
            {
                string block = string.Join("\n", lines.Skip(i).Take(RepeatedBlock));
                if (seen.TryGetValue(block, out var first) && first.Notebook != notebook)
                    repeats.Add($"{notebook} cell {cell} repeats {first.Notebook} cell {first.Cell}:\n  {block.Replace("\n", "\n  ")}");
                else seen.TryAdd(block, (notebook, cell));
            }
        Assert.True(repeats.Count == 0, string.Join("\n", repeats));
    }

    [Fact]
    public void NotebooksAreAtMostOnePointFiveMegabytesAndEightTogether()
    {
        var sizes = NotebookPaths().ToDictionary(p => Path.GetFileName(p), p => new FileInfo(p).Length);
        Assert.All(sizes, s => Assert.True(s.Value <= MaxNotebookBytes, $"{s.Key} is {s.Value:N0} bytes"));
        Assert.True(sizes.Values.Sum() <= MaxTotalBytes, $"all notebooks: {sizes.Values.Sum():N0} bytes");
    }

    [Fact]
    public void EveryStoredChartOutputCarriesItsStaticImage()
    {
        foreach (var path in NotebookPaths())
            foreach (var cell in NotebookJson.Read(path).Cells.Where(c => c.IsCode))
                foreach (var output in cell.Outputs.OfType<System.Text.Json.Nodes.JsonObject>().Where(o => (string?)o["output_type"] is "display_data" or "execute_result"))
                {
                    var data = output["data"]!.AsObject();
                    if (data["text/html"] is { } html && NotebookTestKit.Text(html).Contains("Plotly.newPlot", StringComparison.Ordinal))
                        Assert.True(data.ContainsKey("image/png"), $"{Path.GetFileName(path)}: a chart output without image/png");
                }
    }
}
