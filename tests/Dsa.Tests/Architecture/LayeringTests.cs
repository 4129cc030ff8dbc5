using System.Reflection;

namespace Dsa.Tests.Architecture;

/// <summary>
/// Issue 14: the arrows of ARCHITECTURE.md hold in the compiled library. Every use of one namespace of
/// src/Dsa by another is read from the assembly (signatures and IL), and any use the plan does not draw fails.
/// </summary>
public class LayeringTests
{
    private static string Report(IEnumerable<string> lines) => string.Join("\n", lines.Distinct().OrderBy(l => l).Take(60));

    [Fact]
    public void TheLibraryUsesOnlyTheArrowsThePlanDraws()
    {
        var rules = new LayerRules("Dsa", LayerRules.Plan);
        var uses = NamespaceDependencies.Scan(typeof(Dsa.Nn.DsaNet).Assembly, "Dsa");
        // The scan must see the arrows that exist, or a passing test would say nothing.
        Assert.Contains(uses, u => u.From.Namespace == "Dsa.Workflows" && u.To == "Dsa.Training");
        Assert.Contains(uses, u => u.From.Namespace == "Dsa.Reports" && u.To.StartsWith("Dsa.Visualization"));
        var broken = uses.Select(rules.Violation).OfType<string>().ToList();
        Assert.True(broken.Count == 0, $"{broken.Count} uses break the plan:\n{Report(broken)}");
    }

    [Fact]
    public void AWrongArrowIsCaughtInABodyALambdaAndAField()
    {
        var rules = new LayerRules("LayeringProbe", LayerRules.Plan);
        var broken = NamespaceDependencies.Scan(typeof(LayeringTests).Assembly, "LayeringProbe")
            .Where(u => rules.Violation(u) is not null).ToList();
        Assert.All(broken, u => Assert.Equal("LayeringProbe.Reports", u.To));
        var culprits = broken.Select(u => u.From.Name).ToHashSet();
        Assert.Equal(new[] { "CallsAReport", "CallsAReportInALambda", "HoldsAReport" }, culprits.OrderBy(n => n));
        Assert.Contains("Training may not use Reports", rules.Violation(broken[0]));
    }

    [Fact]
    public void AnArrowThePlanDrawsIsNotReported()
    {
        var rules = new LayerRules("LayeringProbe", LayerRules.Plan);
        var uses = NamespaceDependencies.Scan(typeof(LayeringTests).Assembly, "LayeringProbe");
        var allowed = Assert.Single(uses, u => u.From.Name == "RunsTraining");
        Assert.Equal("LayeringProbe.Training", allowed.To);
        Assert.Null(rules.Violation(allowed));
    }

    [Fact]
    public void ANamespaceOutsideThePlanIsAViolation()
    {
        var rules = new LayerRules("Dsa", LayerRules.Plan);
        var stray = new TypeUse(typeof(Dsa.Nn.DsaNet), "Dsa.Helpers", "test");
        Assert.Contains("in no layer", rules.Violation(stray));
    }

    [Fact]
    public void TheProjectsReferenceEachOtherAsThePlanDraws()
    {
        static HashSet<string> References(Assembly a) => a.GetReferencedAssemblies().Select(n => n.Name!).ToHashSet();
        string[] fronts = ["Dsa.Cli", "dsa", "Dsa.Interactive", "Dsa.Notebooks", "Dsa.Kernel"];
        var core = References(typeof(Dsa.Nn.DsaNet).Assembly);
        Assert.Empty(core.Intersect(fronts));
        var interactive = References(typeof(Dsa.Interactive.NotebookWorkspace).Assembly);
        Assert.Contains("Dsa", interactive);
        Assert.Empty(interactive.Intersect(fronts.Where(f => f != "Dsa.Interactive")));
    }
}
