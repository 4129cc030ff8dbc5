using System.Globalization;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace Dsa.Notebooks;

/// <summary>
/// The XML documentation file the compiler wrote beside an assembly (member id to its doc comment),
/// read on first use. Roslyn's own XML provider is part of the Workspaces packages, which the engine
/// does not carry; this is what lets a kernel's inspect request show a symbol's summary.
/// </summary>
internal sealed class AssemblyDocumentation(string xmlPath) : DocumentationProvider
{
    private readonly Lazy<IReadOnlyDictionary<string, string>> members = new(() => Load(xmlPath));

    protected override string? GetDocumentationForSymbol(string documentationMemberID, CultureInfo preferredCulture, CancellationToken cancellationToken = default) =>
        members.Value.TryGetValue(documentationMemberID, out var xml) ? xml : null;

    public override bool Equals(object? obj) => obj is AssemblyDocumentation other && other.Path == Path;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Path);

    private string Path => xmlPath;

    private static IReadOnlyDictionary<string, string> Load(string path)
    {
        try
        {
            return XDocument.Load(path).Descendants("member")
                .Where(m => m.Attribute("name") is not null)
                .GroupBy(m => (string)m.Attribute("name")!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().ToString(SaveOptions.DisableFormatting), StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or System.Xml.XmlException or UnauthorizedAccessException)
        {
            // Documentation is a convenience: a broken file means no summaries, never a failed cell.
            return new Dictionary<string, string>();
        }
    }
}
