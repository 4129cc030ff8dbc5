using System.Collections.Immutable;
using Dsa.Notebooks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsa.Kernel;

/// <summary>
/// complete_request and is_complete_request, answered from the session's own Roslyn compilation
/// (the next cell compiled against every earlier one, <see cref="NotebookSession.AnalysisCompilation"/>),
/// so completions include the notebook's variables and methods. Best effort: symbols in scope at the
/// cursor, members after a dot (instance members of the expression's type, static members of a type,
/// the types and namespaces of a namespace), and C# keywords; no ranking beyond prefix and name.
/// Jupyter counts cursor positions in Unicode code points (protocol 5.2+), C# strings in UTF-16 units.
/// </summary>
internal static class CodeCompletion
{
    private static readonly string[] Keywords = SyntaxFacts.GetKeywordKinds().Select(SyntaxFacts.GetText)
        .Concat(SyntaxFacts.GetContextualKeywordKinds().Select(SyntaxFacts.GetText))
        .Where(k => k.Length > 0).Distinct().ToArray();

    /// <summary>The completions for the identifier being typed at <paramref name="cursorCodePoints"/>, and the span (code points) they replace.</summary>
    public static (IReadOnlyList<string> Matches, int Start, int End) Complete(NotebookSession session, string code, int cursorCodePoints)
    {
        int cursor = ToUtf16(code, cursorCodePoints);
        int start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_')) start--;
        string prefix = code[start..cursor];
        var compilation = session.AnalysisCompilation(code);
        var tree = compilation.SyntaxTrees.Last();
        var model = compilation.GetSemanticModel(tree);
        var names = AfterDot(model, tree, code, start) is { } container
            ? container.Select(s => s.Name)
            : model.LookupSymbols(start).Select(s => s.Name).Concat(Keywords);
        var matches = names
            .Where(n => SyntaxFacts.IsValidIdentifier(n) || Keywords.Contains(n))
            .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            // Exact-case prefix matches first, then alphabetical.
            .OrderBy(n => n.StartsWith(prefix, StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(n => n, StringComparer.Ordinal)
            .ToList();
        return (matches, ToCodePoints(code, start), ToCodePoints(code, cursor));
    }

    /// <summary>Jupyter's is_complete: "complete", "incomplete" (an open brace or statement: the console asks for another line) or "invalid".</summary>
    public static (string Status, string Indent) IsComplete(string code)
    {
        var directives = CellDirectives.Parse(code);
        if (directives.Error is not null) return ("invalid", "");
        if (string.IsNullOrWhiteSpace(directives.Code)) return ("complete", "");
        var tree = CSharpSyntaxTree.ParseText(directives.Code, ScriptEnvironment.ParseOptions);
        return SyntaxFactory.IsCompleteSubmission(tree) ? ("complete", "") : ("incomplete", "    ");
    }

    public static int ToUtf16(string text, int codePoints)
    {
        int index = 0;
        for (int n = 0; n < codePoints && index < text.Length; n++)
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length ? 2 : 1;
        return index;
    }

    public static int ToCodePoints(string text, int utf16)
    {
        int count = 0;
        for (int index = 0; index < utf16 && index < text.Length; count++)
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length ? 2 : 1;
        return count;
    }

    // The members reachable after "expression." when the identifier being typed follows a dot.
    private static ImmutableArray<ISymbol>? AfterDot(SemanticModel model, SyntaxTree tree, string code, int start)
    {
        if (start == 0 || code[start - 1] != '.') return null;
        var dot = tree.GetRoot().FindToken(start - 1);
        ExpressionSyntax? left = dot.Parent switch
        {
            MemberAccessExpressionSyntax access => access.Expression,
            QualifiedNameSyntax name => name.Left,
            _ => null,
        };
        if (left is null) return ImmutableArray<ISymbol>.Empty;
        var symbol = model.GetSymbolInfo(left).Symbol;
        if (symbol is INamespaceSymbol ns) return model.LookupNamespacesAndTypes(start, ns);
        if (symbol is ITypeSymbol type) return model.LookupStaticMembers(start, type);
        var instance = model.GetTypeInfo(left).Type;
        return instance is null ? ImmutableArray<ISymbol>.Empty : model.LookupSymbols(start, instance, includeReducedExtensionMethods: true);
    }
}
