namespace Dsa.Notebooks;

/// <summary>
/// The NuGet packages the runner carries (referenced by Dsa.Notebooks and its dependencies).
/// Notebooks written for Polyglot Notebooks start with <c>#r "nuget: ..."</c> lines; those naming
/// these packages are accepted and dropped, since the assemblies are already referenced. The
/// version in the directive is not honoured: the runner's version (Directory.Packages.props) is used.
/// </summary>
public static class BundledPackages
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "TorchSharp", "TorchSharp-cpu", "libtorch-cpu", "libtorch-cpu-linux-x64",
        "SkiaSharp", "SkiaSharp.NativeAssets.Linux.NoDependencies",
        "Plotly.NET", "Plotly.NET.CSharp",
        // Plotly.NET.Interactive only registered Plotly.NET's formatter with Polyglot's kernel; the
        // runner's own formatter (DsaFormatters) does that job here.
        "Plotly.NET.Interactive",
        "Microsoft.Data.Analysis",
        "Microsoft.DotNet.Interactive.Formatting",
    };

    public static bool Contains(string packageId) => Names.Contains(packageId);
}
