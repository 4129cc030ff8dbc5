using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dsa.Nn;

/// <summary>
/// The structural part of the official HRNet pose config (MODEL.EXTRA.STAGE2..4, NUM_JOINTS,
/// FINAL_CONV_KERNEL). The stem and layer1 (64 channels, 4 Bottlenecks, 256 outputs) are hard-coded
/// in the official pose_hrnet.py and therefore not configurable here either.
/// </summary>
public sealed record HrnetConfig(HrnetStageConfig Stage2, HrnetStageConfig Stage3, HrnetStageConfig Stage4, int NumJoints, int FinalConvKernel = 1)
{
    /// <summary>w32_256x192 (COCO: 17 joints; PoseTrack: 15), 28.5 M parameters with 17 joints.</summary>
    public static HrnetConfig W32(int joints) => Official(32, joints);

    /// <summary>w48_384x288 (the DSA paper's backbone), same structure with width 48.</summary>
    public static HrnetConfig W48(int joints) => Official(48, joints);

    private static HrnetConfig Official(int w, int joints) => new(
        new HrnetStageConfig(1, 2, HrnetBlockType.Basic, new[] { 4, 4 }, new[] { w, 2 * w }),
        new HrnetStageConfig(4, 3, HrnetBlockType.Basic, new[] { 4, 4, 4 }, new[] { w, 2 * w, 4 * w }),
        new HrnetStageConfig(3, 4, HrnetBlockType.Basic, new[] { 4, 4, 4, 4 }, new[] { w, 2 * w, 4 * w, 8 * w }),
        joints);

    /// <summary>
    /// A small network for CPU experiments and tests: branch widths w, 2w, 4w, 8w, one module per
    /// stage, one BASIC block per branch. The stem and layer1 stay as the official code hard-codes them.
    /// </summary>
    public static HrnetConfig Narrow(int width, int joints) => new(
        new HrnetStageConfig(1, 2, HrnetBlockType.Basic, new[] { 1, 1 }, new[] { width, 2 * width }),
        new HrnetStageConfig(1, 3, HrnetBlockType.Basic, new[] { 1, 1, 1 }, new[] { width, 2 * width, 4 * width }),
        new HrnetStageConfig(1, 4, HrnetBlockType.Basic, new[] { 1, 1, 1, 1 }, new[] { width, 2 * width, 4 * width, 8 * width }),
        joints);

    /// <summary>
    /// Width of the stem convs and inner width of layer1's Bottlenecks (layer1 outputs 4x this).
    /// The official pose_hrnet.py hard-codes 64; only the CPU presets change it, to make the stem
    /// affordable on two cores (it dominates a narrow network's cost). Official checkpoints need 64.
    /// </summary>
    public int StemChannels { get; init; } = 64;

    /// <summary>Number of Bottlenecks in layer1 (official: 4, hard-coded).</summary>
    public int Layer1Blocks { get; init; } = 4;

    /// <summary>The stages in order (stage 2, 3, 4).</summary>
    public IReadOnlyList<HrnetStageConfig> Stages => new[] { Stage2, Stage3, Stage4 };

    /// <summary>Throws <see cref="ArgumentException"/> when the official code could not build (or would mis-build) this network.</summary>
    public void Validate()
    {
        Stage2.Validate("MODEL.EXTRA.STAGE2");
        Stage3.Validate("MODEL.EXTRA.STAGE3");
        Stage4.Validate("MODEL.EXTRA.STAGE4");
        if (StemChannels < 1) throw new ArgumentException($"HrnetConfig.StemChannels must be >= 1, got {StemChannels}.");
        if (Layer1Blocks < 1) throw new ArgumentException($"HrnetConfig.Layer1Blocks must be >= 1, got {Layer1Blocks}.");
        if (NumJoints < 1) throw new ArgumentException($"MODEL.NUM_JOINTS must be >= 1, got {NumJoints}.");
        if (FinalConvKernel is not (1 or 3)) throw new ArgumentException($"MODEL.EXTRA.FINAL_CONV_KERNEL must be 1 or 3, got {FinalConvKernel}.");
        var stages = Stages;
        for (int s = 1; s < stages.Count; s++)
        {
            var (prev, cur) = (stages[s - 1], stages[s]);
            if (cur.NumBranches < prev.NumBranches)
                throw new ArgumentException($"MODEL.EXTRA.STAGE{s + 2}.NUM_BRANCHES ({cur.NumBranches}) is smaller than STAGE{s + 1}'s ({prev.NumBranches}).");
            // The official forward applies every non-identity transition to the previous stage's LAST
            // branch, so an existing branch whose width changes would be fed the wrong tensor upstream.
            for (int i = 0; i < prev.NumBranches; i++)
                if (cur.BranchChannels(i) != prev.BranchChannels(i))
                    throw new ArgumentException($"MODEL.EXTRA.STAGE{s + 2}.NUM_CHANNELS[{i}] changes the width of an existing branch ({prev.BranchChannels(i)} -> {cur.BranchChannels(i)}), which the official pose_hrnet.py does not run.");
        }
    }

    /// <summary>Reads the MODEL section of an official-style config file (<c>{"MODEL": {...}}</c>, the YAML as JSON).</summary>
    public static HrnetConfig FromOfficialJson(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e); }
        return FromOfficialJson(root ?? throw new InvalidDataException($"{path}: empty JSON document."), path);
    }

    /// <summary>Reads a <c>{"MODEL": {...}}</c> document (or the MODEL object itself); <paramref name="source"/> names it in errors.</summary>
    public static HrnetConfig FromOfficialJson(JsonNode root, string source = "HRNet config")
    {
        try
        {
            var model = root["MODEL"] ?? root;
            var extra = Required(model, "EXTRA", "MODEL");
            var config = new HrnetConfig(
                Stage(extra, "STAGE2"), Stage(extra, "STAGE3"), Stage(extra, "STAGE4"),
                Int(model, "NUM_JOINTS", "MODEL"),
                extra["FINAL_CONV_KERNEL"] is null ? 1 : Int(extra, "FINAL_CONV_KERNEL", "MODEL.EXTRA"));
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    private static HrnetStageConfig Stage(JsonNode extra, string name)
    {
        string field = $"MODEL.EXTRA.{name}";
        var s = Required(extra, name, "MODEL.EXTRA");
        var block = Required(s, "BLOCK", field).GetValue<string>() switch
        {
            "BASIC" => HrnetBlockType.Basic,
            "BOTTLENECK" => HrnetBlockType.Bottleneck,
            var other => throw new ArgumentException($"{field}.BLOCK '{other}' is neither BASIC nor BOTTLENECK."),
        };
        var stage = new HrnetStageConfig(
            Int(s, "NUM_MODULES", field), Int(s, "NUM_BRANCHES", field), block,
            Ints(s, "NUM_BLOCKS", field), Ints(s, "NUM_CHANNELS", field),
            s["FUSE_METHOD"]?.GetValue<string>() ?? "SUM");
        stage.Validate(field);
        return stage;
    }

    private static JsonNode Required(JsonNode parent, string name, string path) =>
        parent[name] ?? throw new ArgumentException($"field {path}.{name} is missing.");

    private static int Int(JsonNode parent, string name, string path)
    {
        try { return Required(parent, name, path).GetValue<int>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException) { throw new ArgumentException($"field {path}.{name} is not an integer."); }
    }

    private static int[] Ints(JsonNode parent, string name, string path)
    {
        try { return Required(parent, name, path).AsArray().Select(v => (v ?? throw new FormatException()).GetValue<int>()).ToArray(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException) { throw new ArgumentException($"field {path}.{name} is not an array of integers."); }
    }
}
