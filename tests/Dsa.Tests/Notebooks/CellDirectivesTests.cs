using Dsa.Notebooks;

namespace Dsa.Tests.Notebooks;

public sealed class CellDirectivesTests
{
    [Fact]
    public void PolyglotLinesAreBlankedKeepingLineNumbers()
    {
        var parsed = CellDirectives.Parse("#!csharp\n#r \"nuget: SkiaSharp, 2.88.0\"\n#r \"lib/x.dll\"\nvar a = 1;");
        Assert.Null(parsed.Error);
        Assert.False(parsed.ReportWallTime);
        // Blanked with spaces of the same length: offsets into the cell (a kernel's cursor) stay valid.
        Assert.Equal(new string(' ', "#!csharp".Length) + "\n" + new string(' ', "#r \"nuget: SkiaSharp, 2.88.0\"".Length)
            + "\n#r \"lib/x.dll\"\nvar a = 1;", parsed.Code);
    }

    [Fact]
    public void TimeMagicAndCSharpAliasAreAccepted()
    {
        var parsed = CellDirectives.Parse("#!c#\n#!time\n1");
        Assert.Null(parsed.Error);
        Assert.True(parsed.ReportWallTime);
    }

    [Fact]
    public void UnbundledPackageAndUnknownMagicAreReported()
    {
        var parsed = CellDirectives.Parse("#r \"nuget: Serilog\"\n#!pwsh\n1");
        Assert.Contains("line 1: package Serilog is not bundled with the runner; add it to src/Dsa.Notebooks", parsed.Error);
        Assert.Contains("line 2: magic command #!pwsh is not supported", parsed.Error);
    }

    [Theory]
    [InlineData("5", "5")]
    [InlineData("-3", "-3")]
    [InlineData("0.001", "0.001")]
    [InlineData("1e-4", "0.0001")]
    [InlineData("3e0", "3.0")]
    [InlineData("True", "true")]
    [InlineData("false", "false")]
    [InlineData("run 1", "\"run 1\"")]
    [InlineData("say \"hi\"\n", "\"say \\\"hi\\\"\\n\"")]
    public void ParameterValuesAreTypedCSharpLiterals(string value, string literal)
    {
        Assert.Equal(literal, NotebookParameters.Literal(value));
    }

    [Fact]
    public void ParameterAssignmentSplitsAtTheFirstEquals()
    {
        Assert.Equal(KeyValuePair.Create("query", "a=b"), NotebookParameters.ParseAssignment("query=a=b"));
        Assert.Throws<ArgumentException>(() => NotebookParameters.ParseAssignment("novalue"));
    }

    [Fact]
    public void InjectionGoesFirstWithoutAParametersCellAndReplacesAnEarlierOne()
    {
        var notebook = new NotebookTemplate().Code("var x = 0;").Build();
        NotebookParameters.Inject(notebook, [new("x", "1")]);
        NotebookParameters.Inject(notebook, [new("x", "2")]);
        Assert.Equal(2, notebook.Cells.Count);
        Assert.True(notebook.Cells[0].HasTag(NotebookParameters.InjectedTag));
        Assert.Contains("x = 2;", notebook.Cells[0].Source);
        Assert.Throws<ArgumentException>(() => NotebookParameters.Inject(notebook, [new("not valid", "1")]));
    }
}
