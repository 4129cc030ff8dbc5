namespace Dsa.Tests.Infrastructure;

/// <summary>
/// Locates ../shared/fixtures (override: env DSA_FIXTURES). Tests that need it call
/// <see cref="Require"/>, which reports the test as skipped, with the reason, when it is absent.
/// </summary>
public static class Fixtures
{
    public static string? Root { get; } = Locate();

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("DSA_FIXTURES");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        // Walk up from the test binary to the repository root (the folder holding DSA.Research.sln),
        // then look beside it for shared/fixtures.
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DSA.Research.sln"))) dir = dir.Parent;
        if (dir?.Parent is null) return null;
        var candidate = Path.Combine(dir.Parent.FullName, "shared", "fixtures");
        return Directory.Exists(candidate) ? candidate : null;
    }

    /// <summary>The path of a fixture sub-path; skips the calling test when fixtures are absent.</summary>
    public static string Require(params string[] parts)
    {
        Skip.If(Root is null, "reference fixtures not found: set DSA_FIXTURES or place shared/fixtures beside the repository");
        var path = Path.Combine(new[] { Root! }.Concat(parts).ToArray());
        Skip.IfNot(File.Exists(path) || Directory.Exists(path), $"fixture {path} is absent");
        return path;
    }

    /// <summary>The repository root (where DSA.Research.sln is).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DSA.Research.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("DSA.Research.sln not found above the test binary.");
        }
    }
}
