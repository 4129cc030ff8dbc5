using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Nn;

/// <summary>
/// The HRNet reference cases, discovered by listing shared/fixtures/tensors: every STEM.pth beside a
/// STEM_config.json (the public one is hrnet_tiny). Each case's files: STEM_config.json and STEM.pth
/// (required), STEM_io.safetensors (the same weights plus input and output: the forward check) and
/// STEM_intermediates.safetensors (optional, for debugging: stage4_out.0 is compared when present).
/// </summary>
public static class HrnetCases
{
    public const string Absent = "(fixtures absent)";

    public static IEnumerable<object[]> Names()
    {
        string? folder = Fixtures.Root is null ? null : Path.Combine(Fixtures.Root, "tensors");
        var stems = folder is not null && Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.pth").Select(p => Path.GetFileNameWithoutExtension(p))
                .Where(s => System.IO.File.Exists(Path.Combine(folder, s + "_config.json"))).OrderBy(s => s, StringComparer.Ordinal).ToList()
            : new List<string>();
        if (stems.Count == 0) yield return new object[] { Absent };
        foreach (var s in stems) yield return new object[] { s };
    }

    /// <summary>The path of one of the case's files; skips the test when the case (or the required file) is absent.</summary>
    public static string File(string stem, string suffix)
    {
        Skip.If(stem == Absent, "no HRNet case (STEM.pth + STEM_config.json) under shared/fixtures/tensors");
        return Fixtures.Require("tensors", stem + suffix);
    }

    /// <summary>The path of an optional file of the case, or null when the case has none.</summary>
    public static string? Optional(string stem, string suffix)
    {
        string path = Path.Combine(Path.GetDirectoryName(File(stem, ".pth"))!, stem + suffix);
        return System.IO.File.Exists(path) ? path : null;
    }
}
