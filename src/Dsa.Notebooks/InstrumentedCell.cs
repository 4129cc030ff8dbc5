using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dsa.Notebooks;

/// <summary>
/// A cell's code prepared for running inside a long-lived process:
/// <list type="bullet">
/// <item>an interruption point (<see cref="CellInterruption.ThrowIfInterrupted"/>) at the top of every
/// for / foreach / while / do body, which is where long-running notebook code spends its time
/// (training epochs, batch loops, polling);</item>
/// <item>every call of <c>System.Environment.Exit</c> or <c>FailFast</c> (found by the compiler's binding,
/// so <c>using static</c> and aliases count too) redirected to <see cref="CellExit"/>, which throws: a
/// cell must not end the runner or kernel process and lose every other notebook's output.</item>
/// </list>
/// No line break is added, so line numbers stay those of the cell; <see cref="Describe"/> maps a
/// compiler diagnostic's position back to the cell's own text (columns on an edited line).
/// Recursion, goto loops and long native calls (one big tensor op) have no interruption point: such
/// a cell is abandoned after the grace period instead (<see cref="NotebookSession.InterruptGracePeriod"/>).
/// </summary>
internal sealed class InstrumentedCell
{
    private const string Check = "global::Dsa.Notebooks.CellInterruption.ThrowIfInterrupted();";

    private readonly SourceText original;
    private readonly List<Edit> edits; // in the instrumented text, ascending

    /// <summary>At <paramref name="Position"/> of the instrumented text, <paramref name="Inserted"/> characters replace <paramref name="Removed"/> of the cell's.</summary>
    private readonly record struct Edit(int Position, int Inserted, int Removed);

    private InstrumentedCell(string code, SourceText original, List<Edit> edits)
    {
        Code = code;
        this.original = original;
        this.edits = edits;
    }

    /// <summary>The code to compile.</summary>
    public string Code { get; }

    /// <param name="analysis">The compilation the cell would get (earlier cells' state in scope), to bind
    /// calls named Exit or FailFast; asked for only when the cell has such a call.</param>
    public static InstrumentedCell Instrument(string code, Func<string, Compilation>? analysis = null)
    {
        var text = SourceText.From(code);
        var tree = CSharpSyntaxTree.ParseText(text, ScriptEnvironment.ParseOptions);
        // (position in the cell, characters of the cell replaced, text put there)
        var changes = new List<(int Position, int Removed, string Text)>();
        // A cell that does not parse is compiled as written: the compiler reports its syntax errors.
        if (!tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            foreach (var body in tree.GetRoot().DescendantNodes().Select(LoopBody).OfType<StatementSyntax>())
            {
                if (body is BlockSyntax block)
                {
                    changes.Add((block.OpenBraceToken.Span.End, 0, Check));
                }
                else
                {
                    // A single embedded statement becomes a block: { check; statement }.
                    changes.Add((body.SpanStart, 0, "{" + Check));
                    changes.Add((body.Span.End, 0, "}"));
                }
            }
            if (analysis is not null) changes.AddRange(ProcessExits(tree, analysis, code));
        }
        // Insertions at one position come before a replacement there (an embedded loop body that is
        // itself an Exit call); several "}" at one position are interchangeable. OrderBy is stable.
        var builder = new StringBuilder(code.Length + changes.Count * Check.Length);
        var made = new List<Edit>();
        int copied = 0;
        foreach (var (position, removed, insert) in changes.OrderBy(c => c.Position).ThenBy(c => c.Removed))
        {
            builder.Append(code, copied, position - copied);
            made.Add(new Edit(builder.Length, insert.Length, removed));
            builder.Append(insert);
            copied = position + removed;
        }
        builder.Append(code, copied, code.Length - copied);
        return new InstrumentedCell(builder.ToString(), text, made);
    }

    /// <summary>The callee of every Environment.Exit / FailFast call, replaced by the same method of <see cref="CellExit"/>.</summary>
    private static IEnumerable<(int Position, int Removed, string Text)> ProcessExits(SyntaxTree parsed, Func<string, Compilation> analysis, string code)
    {
        static string? Called(InvocationExpressionSyntax call) => call.Expression switch
        {
            IdentifierNameSyntax id => id.Identifier.ValueText,
            MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
            _ => null,
        };
        if (!parsed.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().Any(c => Called(c) is nameof(Environment.Exit) or nameof(Environment.FailFast)))
            yield break;
        var compilation = analysis(code);
        var tree = compilation.SyntaxTrees.Last();
        var model = compilation.GetSemanticModel(tree);
        foreach (var call in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            string? name = Called(call);
            if (name is not (nameof(Environment.Exit) or nameof(Environment.FailFast))) continue;
            if (model.GetSymbolInfo(call).Symbol is not IMethodSymbol { ContainingType: { } type }
                || type.ToDisplayString() != "System.Environment") continue;
            yield return (call.Expression.SpanStart, call.Expression.Span.Length, $"global::Dsa.Notebooks.CellExit.{name}");
        }
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
        foreach (var (start, inserted, removed) in edits)
        {
            if (start >= position) break;
            // A position inside inserted text belongs to the cell's character right after it (or to
            // the start of what it replaced).
            if (position < start + inserted) return Math.Clamp(start - shift, 0, original.Length);
            shift += inserted - removed;
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
