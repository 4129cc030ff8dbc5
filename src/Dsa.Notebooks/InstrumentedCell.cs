using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dsa.Notebooks;

/// <summary>
/// A cell's code with an interruption point (<see cref="CellInterruption.ThrowIfInterrupted"/>) at
/// the top of every for / foreach / while / do body, which is where long-running notebook code spends
/// its time (training epochs, batch loops, polling). Text is only inserted, never moved, and no line
/// break is added, so line numbers stay those of the cell; <see cref="Describe"/> maps a compiler
/// diagnostic's position back to the cell's own text (columns on a line holding an inserted check).
/// Recursion, goto loops and long native calls (one big tensor op) have no interruption point: such
/// a cell is abandoned after the grace period instead (<see cref="NotebookSession.InterruptGracePeriod"/>).
/// </summary>
internal sealed class InstrumentedCell
{
    private const string Check = "global::Dsa.Notebooks.CellInterruption.ThrowIfInterrupted();";

    private readonly SourceText original;
    private readonly List<(int Position, int Length)> insertions; // in the instrumented text, ascending

    private InstrumentedCell(string code, SourceText original, List<(int Position, int Length)> insertions)
    {
        Code = code;
        this.original = original;
        this.insertions = insertions;
    }

    /// <summary>The code to compile.</summary>
    public string Code { get; }

    public static InstrumentedCell Instrument(string code)
    {
        var text = SourceText.From(code);
        var tree = CSharpSyntaxTree.ParseText(text, ScriptEnvironment.ParseOptions);
        var points = new List<(int Position, string Text)>();
        // A cell that does not parse is compiled as written: the compiler reports its syntax errors.
        if (!tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            foreach (var body in tree.GetRoot().DescendantNodes().Select(LoopBody).OfType<StatementSyntax>())
            {
                if (body is BlockSyntax block)
                {
                    points.Add((block.OpenBraceToken.Span.End, Check));
                }
                else
                {
                    // A single embedded statement becomes a block: { check; statement }.
                    points.Add((body.SpanStart, "{" + Check));
                    points.Add((body.Span.End, "}"));
                }
            }
        }
        // Several points at one position (closing braces of nested single-statement loops) are all
        // "}", so their order among themselves does not matter; OrderBy is stable anyway.
        var builder = new StringBuilder(code.Length + points.Count * Check.Length);
        var inserted = new List<(int Position, int Length)>();
        int copied = 0;
        foreach (var (position, insert) in points.OrderBy(p => p.Position))
        {
            builder.Append(code, copied, position - copied);
            copied = position;
            inserted.Add((builder.Length, insert.Length));
            builder.Append(insert);
        }
        builder.Append(code, copied, code.Length - copied);
        return new InstrumentedCell(builder.ToString(), text, inserted);
    }

    /// <summary>The diagnostic as Roslyn prints it, "(line,column): error CS0103: ...", with the position in the cell's own text.</summary>
    public string Describe(Diagnostic diagnostic)
    {
        if (!diagnostic.Location.IsInSource) return diagnostic.ToString();
        var position = original.Lines.GetLinePosition(ToOriginal(diagnostic.Location.SourceSpan.Start));
        string severity = diagnostic.Severity.ToString().ToLowerInvariant();
        return string.Create(CultureInfo.InvariantCulture,
            $"({position.Line + 1},{position.Character + 1}): {severity} {diagnostic.Id}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}");
    }

    private int ToOriginal(int position)
    {
        int shift = 0;
        foreach (var (start, length) in insertions)
        {
            if (start >= position) break;
            // A position inside inserted text belongs to the cell's character right after it.
            shift += Math.Min(length, position - start);
        }
        return Math.Clamp(position - shift, 0, original.Length);
    }

    private static StatementSyntax? LoopBody(SyntaxNode node) => node switch
    {
        ForStatementSyntax loop => loop.Statement,
        CommonForEachStatementSyntax loop => loop.Statement,
        WhileStatementSyntax loop => loop.Statement,
        DoStatementSyntax loop => loop.Statement,
        _ => null,
    };
}
