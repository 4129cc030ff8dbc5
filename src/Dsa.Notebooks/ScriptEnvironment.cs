using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Dsa.Notebooks;

/// <summary>
/// What every notebook cell compiles against. The runner supplies the references itself, so a
/// notebook from a fresh clone never needs a machine-specific <c>#r "path"</c>: every assembly the
/// runner process carries (the trusted platform assemblies: the .NET runtime, Dsa, Dsa.Interactive,
/// TorchSharp, SkiaSharp, Plotly.NET (+ its C# facade and FSharp.Core), Microsoft.Data.Analysis, the Formatting package)
/// is referenced, and the usual namespaces are imported. Built once per process: creating the
/// reference set is the expensive part of the first compile.
/// </summary>
public static class ScriptEnvironment
{
    /// <summary>Namespaces every cell sees, like Polyglot's C# kernel plus the workbench's own.</summary>
    public static readonly IReadOnlyList<string> DefaultImports =
    [
        "System", "System.IO", "System.Linq", "System.Text", "System.Threading", "System.Threading.Tasks",
        "System.Collections.Generic",
        "Dsa", "Dsa.Data", "Dsa.IO", "Dsa.Interactive",
        // TorchSharp notebooks conventionally write `using static TorchSharp.torch;` so that
        // zeros(...), nn.Conv2d(...) and Tensor read like PyTorch.
        "TorchSharp", "TorchSharp.torch",
        "SkiaSharp", "Microsoft.Data.Analysis",
        // The C# facade of Plotly.NET only: importing Plotly.NET too would make `Chart` ambiguous
        // (both define it). Plotly.NET's own types are reachable qualified (Plotly.NET.GenericChart).
        "Plotly.NET.CSharp",
    ];

    private static readonly Lazy<ScriptOptions> Options = new(Build);

    // The references the runner carries, by assembly simple name (see CarriedAssemblyResolver).
    private static readonly Lazy<IReadOnlyDictionary<string, MetadataReference>> Carried = new(() =>
        Default.MetadataReferences.OfType<PortableExecutableReference>().Where(r => r.FilePath is not null)
            .GroupBy(r => Path.GetFileNameWithoutExtension(r.FilePath!), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => (MetadataReference)g.First(), StringComparer.OrdinalIgnoreCase));

    /// <summary>How cells parse (script submissions, latest C#): for tools that read a cell without running it.</summary>
    public static readonly Microsoft.CodeAnalysis.CSharp.CSharpParseOptions ParseOptions =
        new(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest, kind: SourceCodeKind.Script);

    public static ScriptOptions Default => Options.Value;

    /// <summary>The options for cells of a notebook in <paramref name="notebookDirectory"/>: <c>#r "x.dll"</c> resolves relative to it.</summary>
    public static ScriptOptions For(string notebookDirectory) =>
        Default
            .WithMetadataResolver(new CarriedAssemblyResolver(
                ScriptMetadataResolver.Default.WithBaseDirectory(notebookDirectory).WithSearchPaths(notebookDirectory), Carried.Value))
            .WithSourceResolver(new SourceFileResolver([notebookDirectory], notebookDirectory));

    private static ScriptOptions Build()
    {
        // Load the bundled assemblies' types so their files are certainly part of the process.
        Type[] anchors =
        [
            typeof(Dsa.IO.AtomicFile), typeof(Dsa.Interactive.DsaFormatters), typeof(TorchSharp.torch),
            typeof(SkiaSharp.SKImage), typeof(Plotly.NET.GenericChart), typeof(Plotly.NET.CSharp.Chart), typeof(Microsoft.FSharp.Core.FSharpOption<>),
            typeof(Microsoft.Data.Analysis.DataFrame), typeof(Microsoft.DotNet.Interactive.Formatting.Formatter),
            typeof(CellGlobals),
        ];
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
            foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                paths.Add(path);
        foreach (var type in anchors)
            if (!string.IsNullOrEmpty(type.Assembly.Location)) paths.Add(type.Assembly.Location);
        var references = paths
            .Where(IsManagedAssembly)
            .GroupBy(p => Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First(), documentation: Documentation(g.First())));
        return ScriptOptions.Default
            .WithReferences(references)
            .WithImports(DefaultImports)
            .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest)
            .WithAllowUnsafe(true)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithEmitDebugInformation(false);
    }

    // The XML doc file beside an assembly (the workbench's own projects write one), so a live
    // kernel's inspect request can show a symbol's summary; runtime packs ship none beside the dll.
    private static DocumentationProvider? Documentation(string assemblyPath)
    {
        string xml = Path.ChangeExtension(assemblyPath, ".xml");
        return File.Exists(xml) ? new AssemblyDocumentation(xml) : null;
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
