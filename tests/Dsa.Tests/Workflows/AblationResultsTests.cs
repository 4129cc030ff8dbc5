using Dsa.Tests.Infrastructure;
using Dsa.Workflows;

namespace Dsa.Tests.Workflows;

/// <summary>The committed results/ablations/cells.csv as the README and notebook 08 read it.</summary>
public class AblationResultsTests
{
    [Fact]
    public void RowsAreComparedWithCompleteDsaWithTheStandardErrorOfTheDifference()
    {
        using var dir = new TempDir();
        File.WriteAllLines(Path.Combine(dir.Path, "cells.csv"), new[]
        {
            "row,seed,mAP,Head,steps",
            "complete,1,60,1,300", "complete,2,62,1,300",
            "no-alignment,1,58,1,300", "no-alignment,2,59,1,300", "no-alignment,3,60,1,300",
            "single-frame,1,57,1,300",
        });
        var results = AblationResults.Read(dir.Path);
        Assert.Equal((61.0, Math.Sqrt(2), 2), results.Stats("complete"));
        var d = results.DifferencesFromComplete();
        Assert.Equal(new[] { "no-alignment", "single-frame" }, d.Select(x => x.Row)); // Ablations.All's order
        Assert.Equal(-2.0, d[0].Mean, 12);
        Assert.Equal(Math.Sqrt(1.0 / 3 + 2.0 / 2), d[0].Std, 12);
        Assert.Equal(72.6 - 77.8, d[0].PaperDifference!.Value, 9);
        Assert.Equal(-4.0, d[1].Mean, 12);
        Assert.Null(d[1].PaperDifference); // the paper has no single-frame row
    }

    [Theory]
    [InlineData("row,seed,mAP\ncomplete,1,NaN", "field 'mAP' = 'NaN'")]
    [InlineData("row,seed,mAP\nno-such-row,1,50", "field 'row' = 'no-such-row'")]
    [InlineData("row,seed,mAP\ncomplete,x,50", "field 'seed' = 'x'")]
    [InlineData("row,seed\ncomplete,1", "no column 'mAP'")]
    [InlineData("row,seed,mAP\ncomplete,1", "line 2 has 2 fields")]
    public void ABrokenFileNamesItsLineAndField(string text, string expected)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "cells.csv");
        File.WriteAllText(path, text);
        var error = Assert.Throws<InvalidDataException>(() => AblationResults.Read(dir.Path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }
}
