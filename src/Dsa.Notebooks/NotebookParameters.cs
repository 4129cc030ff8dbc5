using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsa.Notebooks;

/// <summary>
/// Papermill's parameter convention for C#: the cell tagged "parameters" declares defaults, and the
/// values given on the command line become a new cell right after it (at the top when there is
/// none), tagged "injected-parameters", that assigns them. An earlier injected cell is replaced.
/// </summary>
public static class NotebookParameters
{
    public const string ParametersTag = "parameters";
    public const string InjectedTag = "injected-parameters";

    /// <summary>Inserts the injected-parameters cell; returns it (null when there are no parameters).</summary>
    public static NotebookCell? Inject(Notebook notebook, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        if (parameters.Count == 0) return null;
        notebook.Cells.RemoveAll(c => c.HasTag(InjectedTag));
        var lines = new List<string> { "// Injected parameters (dsa notebooks run --param)." };
        foreach (var (name, value) in parameters)
        {
            if (!SyntaxFacts.IsValidIdentifier(name))
                throw new ArgumentException($"parameter '{name}' is not a C# identifier.", nameof(parameters));
            lines.Add($"{name} = {Literal(value)};");
        }
        var cell = NotebookTemplate.CodeCell(string.Join("\n", lines));
        cell.AddTag(InjectedTag);
        int at = notebook.Cells.FindIndex(c => c.HasTag(ParametersTag));
        notebook.Cells.Insert(at + 1, cell);
        return cell;
    }

    /// <summary>
    /// The C# literal for a command-line value: an int, else a double, else a bool, else a string.
    /// (An int also assigns to a double/long variable; a double literal does not assign to a float.)
    /// </summary>
    public static string Literal(string value)
    {
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i))
            return i.ToString(CultureInfo.InvariantCulture);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
        {
            if (double.IsNaN(d)) return "double.NaN";
            if (double.IsInfinity(d)) return d > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
            string text = d.ToString("R", CultureInfo.InvariantCulture);
            // "3" from "3e0" must stay a double literal.
            return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
        }
        if (bool.TryParse(value, out bool b)) return b ? "true" : "false";
        return SymbolDisplay.FormatLiteral(value, quote: true);
    }

    /// <summary>Parses "name=value" (the value may contain '=').</summary>
    public static KeyValuePair<string, string> ParseAssignment(string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"parameter '{assignment}' is not of the form name=value.", nameof(assignment));
        return KeyValuePair.Create(assignment[..eq].Trim(), assignment[(eq + 1)..]);
    }
}
