using System.Text;
using System.Text.RegularExpressions;

namespace Dsa.Notebooks;

/// <summary>
/// A cell's code after its notebook directives were handled, ready for Roslyn. Directives are
/// blanked with spaces rather than deleted, so compiler line numbers, and a live kernel's cursor
/// offsets for completion, still match the cell.
/// </summary>
/// <param name="Code">The C# to compile.</param>
/// <param name="ReportWallTime">The cell started with Polyglot's <c>#!time</c>: print its wall time.</param>
/// <param name="Error">Why the cell cannot run (an unknown magic, a package the runner lacks); null when it can.</param>
public sealed partial record CellDirectives(string Code, bool ReportWallTime, string? Error)
{
    /// <summary>
    /// Handles, line by line: <c>#r "nuget: Name, Version"</c> (accepted when the runner bundles the
    /// package, see <see cref="BundledPackages"/>; otherwise an error), <c>#r "path.dll"</c> (left for
    /// Roslyn, which resolves it against the notebook's folder), and Polyglot's <c>#!</c> magics:
    /// <c>#!csharp</c> / <c>#!c#</c> select the language the runner already speaks, <c>#!time</c>
    /// reports wall time, any other is an error (its kernel does not exist here).
    /// </summary>
    public static CellDirectives Parse(string source)
    {
        var code = new StringBuilder();
        bool wallTime = false;
        var errors = new List<string>();
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string trimmed = line.Trim();
            var nuget = NugetReference().Match(trimmed);
            if (nuget.Success)
            {
                string package = nuget.Groups["name"].Value.Trim();
                if (!BundledPackages.Contains(package))
                    errors.Add($"line {i + 1}: package {package} is not bundled with the runner; add it to src/Dsa.Notebooks (bundled: {string.Join(", ", BundledPackages.Names.Order())}).");
                line = Blank(line);
            }
            else if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                string magic = trimmed.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
                switch (magic)
                {
                    case "#!csharp" or "#!c#":
                        break;
                    case "#!time":
                        wallTime = true;
                        break;
                    default:
                        errors.Add($"line {i + 1}: magic command {magic} is not supported by the DSA notebook runner (supported: #!csharp, #!c#, #!time).");
                        break;
                }
                line = Blank(line);
            }
            code.Append(line);
            if (i < lines.Length - 1) code.Append('\n');
        }
        return new CellDirectives(code.ToString(), wallTime, errors.Count == 0 ? null : string.Join("\n", errors));
    }

    private static string Blank(string line) => line.EndsWith('\r') ? new string(' ', line.Length - 1) + "\r" : new string(' ', line.Length);

    // #r "nuget: Name, 1.2.3" or #r "nuget: Name" (Polyglot's package reference syntax).
    [GeneratedRegex(@"^#r\s+""nuget:\s*(?<name>[^,""]+)(,\s*(?<version>[^""]*))?""\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex NugetReference();
}
