namespace Dsa.Tests.Architecture;

/// <summary>
/// The layers of src/Dsa and their arrows, as ../shared/design/ARCHITECTURE.md draws them. A namespace
/// belongs to the layer of its first segment below the root (Dsa.Data.Formats is Data); the root
/// namespace itself is the runtime layer (TorchRuntime, FinalizerPause, InlineProgress, the device
/// exception), which every layer may use. A layer may use what its arrows reach, transitively.
/// </summary>
public sealed class LayerRules
{
    public const string Runtime = "(root)";

    /// <summary>The plan's direct arrows; Benchmarks sit beside Workflows.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Plan = new Dictionary<string, string[]>
    {
        ["IO"] = [],
        ["Data"] = ["IO"],
        ["Nn"] = ["IO"],
        ["Evaluation"] = ["Data"],
        ["Inference"] = ["Nn", "Data"],
        ["Training"] = ["Nn", "Data", "IO"],
        ["Workflows"] = ["Training", "Inference", "Evaluation", "Data", "Nn", "IO"],
        ["Benchmarks"] = ["Training", "Inference", "Nn", "Data", "Evaluation"],
        ["Visualization"] = ["Evaluation", "Inference", "Nn", "Data"],
        ["Reports"] = ["Workflows", "Visualization", "Evaluation"],
    };

    private readonly string root;
    private readonly Dictionary<string, HashSet<string>> reach;

    public LayerRules(string root, IReadOnlyDictionary<string, string[]> arrows)
    {
        this.root = root;
        reach = arrows.Keys.ToDictionary(k => k, k => Closure(k, arrows));
        foreach (var set in reach.Values) set.Add(Runtime);
        reach[Runtime] = [Runtime];
    }

    private static HashSet<string> Closure(string layer, IReadOnlyDictionary<string, string[]> arrows)
    {
        var seen = new HashSet<string> { layer };
        var todo = new Stack<string>(arrows[layer]);
        while (todo.TryPop(out var next))
            if (seen.Add(next)) foreach (var n in arrows[next]) todo.Push(n);
        return seen;
    }

    /// <summary>The layer of a namespace in the root, or null if the plan does not know it.</summary>
    public string? LayerOf(string ns)
    {
        if (ns == root) return Runtime;
        string first = ns[(root.Length + 1)..].Split('.')[0];
        return reach.ContainsKey(first) ? first : null;
    }

    /// <summary>Why a use breaks the plan, or null if the plan allows it.</summary>
    public string? Violation(TypeUse use)
    {
        var from = LayerOf(use.From.Namespace!);
        var to = LayerOf(use.To);
        if (from is null) return $"{use.From.FullName}: namespace {use.From.Namespace} is in no layer of the plan";
        if (to is null) return $"{use}: namespace {use.To} is in no layer of the plan";
        return reach[from].Contains(to) ? null : $"{from} may not use {to}: {use}";
    }
}
