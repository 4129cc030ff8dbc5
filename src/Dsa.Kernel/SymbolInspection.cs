using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Dsa.Notebooks;
using Microsoft.CodeAnalysis;

namespace Dsa.Kernel;

/// <summary>
/// inspect_request (Shift+Tab in JupyterLab): the symbol under the cursor with its signature and,
/// when its assembly ships an XML doc file (the workbench's own projects do), the summary. Best effort.
/// </summary>
internal static partial class SymbolInspection
{
    /// <summary>Plain text about the symbol at <paramref name="cursorCodePoints"/>; null when there is none.</summary>
    public static string? Inspect(NotebookSession session, string code, int cursorCodePoints)
    {
        int cursor = CodeCompletion.ToUtf16(code, cursorCodePoints);
        var compilation = session.AnalysisCompilation(code);
        var tree = compilation.SyntaxTrees.Last();
        var model = compilation.GetSemanticModel(tree);
        var root = tree.GetRoot();
        // At the end of a name (cursor right after it) the token is the one before the cursor.
        var token = root.FindToken(Math.Max(0, Math.Min(cursor, root.FullSpan.End - 1)));
        if (cursor > 0 && (token.Span.Start >= cursor || !token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken)))
            token = root.FindToken(cursor - 1);
        for (var node = token.Parent; node is not null; node = node.Parent)
        {
            var info = model.GetSymbolInfo(node);
            var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault() ?? model.GetDeclaredSymbol(node);
            if (symbol is not null) return Describe(symbol, info.CandidateSymbols.Length);
            if (node is Microsoft.CodeAnalysis.CSharp.Syntax.StatementSyntax) break;
        }
        return null;
    }

    private static string Describe(ISymbol symbol, int candidates)
    {
        var text = new StringBuilder();
        text.Append(symbol.Kind.ToString().ToLowerInvariant()).Append(' ').Append(symbol.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat));
        if (candidates > 1) text.Append($" (+{candidates - 1} overloads)");
        if (Summary(symbol) is { } summary) text.Append("\n\n").Append(summary);
        return text.ToString();
    }

    private static string? Summary(ISymbol symbol)
    {
        string? xml = symbol.GetDocumentationCommentXml();
        if (string.IsNullOrWhiteSpace(xml)) return null;
        try
        {
            var summary = XElement.Parse(xml).Element("summary");
            if (summary is null) return null;
            // <see cref="T:Dsa.X"/> reads as X.
            foreach (var see in summary.Descendants().Where(e => e.Name == "see" || e.Name == "paramref").ToList())
                see.ReplaceWith(((string?)see.Attribute("cref") ?? (string?)see.Attribute("name") ?? see.Value).Split(':', '.').Last());
            return Whitespace().Replace(summary.Value, " ").Trim();
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
