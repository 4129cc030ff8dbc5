using System.Text.Json;
using Dsa.Data;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Evaluation;

/// <summary>The poseval reference cases (shared/fixtures/posetrack/poseval_cases/*), discovered by listing the folder.</summary>
public static class PosevalCases
{
    public const string Absent = "(fixtures absent)";

    public static string? Root =>
        Fixtures.Root is null ? null : Path.Combine(Fixtures.Root, "posetrack", "poseval_cases");

    /// <summary>Every case folder holding an expected.json; one placeholder row (skipped) when there are none.</summary>
    public static IEnumerable<object[]> Names()
    {
        var root = Root;
        var names = root is not null && Directory.Exists(root)
            ? Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "expected.json")))
                .Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList()
            : new List<string?>();
        if (names.Count == 0) yield return new object[] { Absent };
        foreach (var n in names) yield return new object[] { n! };
    }

    public static string Folder(string name)
    {
        Skip.If(name == Absent, "no poseval case folders under shared/fixtures/posetrack/poseval_cases");
        return Fixtures.Require("posetrack", "poseval_cases", name);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<(IReadOnlyList<VideoAnnotation>, IReadOnlyList<VideoAnnotation>)>> Loaded = new();

    /// <summary>The case's GT and prediction videos, read once per test run (the models are immutable).</summary>
    public static (IReadOnlyList<VideoAnnotation> Gt, IReadOnlyList<VideoAnnotation> Pred) Load(string name)
    {
        string folder = Folder(name);
        return Loaded.GetOrAdd(folder, f => new Lazy<(IReadOnlyList<VideoAnnotation>, IReadOnlyList<VideoAnnotation>)>(
            () => Dsa.Evaluation.PosetrackAp.ReadFolders(Path.Combine(f, "gt"), Path.Combine(f, "pred")))).Value;
    }

    public static JsonElement Expected(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "expected.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts |actual - expected| &lt;= tol, with NaN exactly where expected is null.</summary>
    public static void Near(JsonElement expected, double actual, double tol, string what)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN (null), got {actual:R}");
            return;
        }
        double e = expected.GetDouble();
        Assert.False(double.IsNaN(actual), $"{what}: expected {e:R}, got NaN");
        Assert.True(Math.Abs(actual - e) <= tol, $"{what}: expected {e:R}, got {actual:R} (diff {actual - e:E3}, tolerance {tol})");
    }

    public static IReadOnlyList<JointInfo> Joints => Skeleton.PoseTrack.Joints;
}
