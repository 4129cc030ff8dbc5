using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// The DSA network (paper, Fig. 1): a shared HRNet backbone gives F_t and F_t+d for the key frame and
/// each supporting frame; each F_t+d is aligned to F_t (symmetric U-Net-like GAB+LEB, or an ablation);
/// [F_t, aligned F_t+d ...] are concatenated and turned into J heatmaps at 1/4 of the input size.
/// With no supporting offsets it is the single-frame baseline: the same backbone and head.
/// </summary>
public sealed class DsaNet : nn.Module<Tensor, Tensor>
{
    private readonly HRNet backbone;
    private readonly ModuleList<nn.Module<Tensor, Tensor, Tensor>> aligners = new();
    private readonly PoseHead head;

    public ModelConfig Config { get; }

    /// <summary>Backbone feature channels C (the width of HRNet's highest-resolution branch).</summary>
    public long FeatureChannels { get; }

    public HRNet Backbone => backbone;

    /// <summary>
    /// The alignment modules (none for the single-frame baseline) and the head, read-only: so that a benchmark can hook
    /// their calls and time the parts of <see cref="forward(Tensor)"/> as it runs (TrainBenchmark's --profile) without
    /// a second forward written beside this one.
    /// </summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor, Tensor>> Aligners => aligners.ToList();

    /// <inheritdoc cref="Aligners"/>
    public PoseHead Head => head;

    /// <summary>
    /// The state-dict entries a single-frame model and this one have in common (the backbone and the head), under
    /// their full names: what a warm start copies. The alignment modules are this model's own.
    /// </summary>
    public IEnumerable<(string Name, TorchSharp.torch.Tensor Value)> SingleFrameState() =>
        new TorchSharp.torch.nn.Module[] { backbone, head }
            .SelectMany(part => part.state_dict().Select(kv => ($"{part.GetName()}.{kv.Key}", kv.Value)));

    public DsaNet(string name, ModelConfig config) : base(name)
    {
        config.Validate();
        Config = config;
        backbone = new HRNet("backbone", config.Backbone, includeFinalLayer: false);
        FeatureChannels = backbone.FeatureChannels;
        if (!config.IsSingleFrame && config.Alignment is AlignmentMode.SymmetricUNet or AlignmentMode.Cascade)
        {
            int count = config.ShareAlignmentAcrossFrames ? 1 : config.SupportOffsets.Count;
            for (int i = 0; i < count; i++)
                aligners.Add(config.Alignment == AlignmentMode.SymmetricUNet
                    ? new SymmetricAlignment($"align{i}", FeatureChannels, config)
                    : new CascadeAlignment($"align{i}", FeatureChannels, config));
        }
        head = new PoseHead("head", config.FrameCount * FeatureChannels, FeatureChannels, config.Joints, config.FusionBlocks, config.HeadLayers);
        RegisterComponents();
        if (config.FreezeBackbone)
            foreach (var p in backbone.parameters()) p.requires_grad = false;
    }

    /// <summary>The parameters by role (see <see cref="DsaParameterGroups"/>).</summary>
    public DsaParameterGroups ParameterGroups()
    {
        var backboneParameters = backbone.parameters().ToList();
        var predictors = modules().SelectMany(m => m switch
        {
            GlobalAlignmentBlock gab => gab.PredictorParameters(),
            LocalEnhancementBlock leb => leb.PredictorParameters(),
            _ => [],
        }).ToList();
        var taken = new HashSet<Parameter>(backboneParameters.Concat(predictors), ReferenceEqualityComparer.Instance);
        return new DsaParameterGroups(backboneParameters, predictors, parameters().Where(p => !taken.Contains(p)).ToList());
    }

    /// <summary>Builds the network of a named preset, optionally changed by <paramref name="change"/>.</summary>
    public static DsaNet FromPreset(string preset, Func<ModelConfig, ModelConfig>? change = null) =>
        new("dsa", (change ?? (c => c))(ModelPresets.Get(preset)));

    public override void train(bool on = true)
    {
        base.train(on);
        // A frozen backbone also keeps its BatchNorm statistics (as DCPose does).
        if (Config.FreezeBackbone) backbone.eval();
    }

    /// <summary>frames [B, T, 3, H, W], key frame first, then the supporting frames in SupportOffsets order -> heatmaps [B, J, H/4, W/4].</summary>
    public override Tensor forward(Tensor frames) => forward(frames, supportFlows: null);

    /// <summary>
    /// As <see cref="forward(Tensor)"/>, with the key frame's true motion to each supporting frame, supportFlows
    /// [B, T-1, 2 (dy, dx), H/4, W/4] in heatmap pixels: what ground-truth-flow alignment warps by (ignored by every
    /// other alignment; <see cref="ModelConfig.NeedsAnnotatedMotion"/>).
    /// </summary>
    public Tensor forward(Tensor frames, Tensor? supportFlows)
    {
        using var output = Run(frames, trace: false, supportFlows: supportFlows);
        return output.Heatmaps.alias();
    }

    /// <summary>The key frame and its supporting frames as separate [B, 3, H, W] tensors -> heatmaps [B, J, H/4, W/4].</summary>
    public Tensor forward(IReadOnlyList<Tensor> frames)
    {
        using var stacked = torch.stack(frames, dim: 1);
        return forward(stacked);
    }

    /// <summary>
    /// A forward pass that also returns the features and (with <paramref name="trace"/>) every alignment field; with
    /// <paramref name="keepGraph"/> the fields stay in the autograd graph (<see cref="GraphAlignmentTrace"/>).
    /// </summary>
    public DsaOutput Run(Tensor frames, bool trace, bool keepGraph = false, Tensor? supportFlows = null)
    {
        CheckFrames(frames);
        if (Config.NeedsAnnotatedMotion) CheckFlows(frames, supportFlows);
        using var scope = NewDisposeScope();
        long b = frames.shape[0], t = frames.shape[1];
        var flat = frames.reshape(b * t, 3, frames.shape[3], frames.shape[4]);
        Tensor features;
        if (Config.FreezeBackbone)
        {
            using var _ = torch.no_grad();
            using var fast = OneDnnConvolutions.ForGradientFreeForward(); // nothing here is differentiated
            features = backbone.Features(flat);
        }
        else features = backbone.Features(flat);
        var c = features.shape[1];
        var perFrame = features.reshape(b, t, c, features.shape[2], features.shape[3]); // [B, T, C, h, w]
        var key = perFrame.select(1, 0);                                                 // [B, C, h, w]
        var supports = perFrame.narrow(1, 1, t - 1);                                     // [B, T-1, C, h, w]

        var fields = new List<IReadOnlyList<AlignmentFields>>();
        var aligned = new List<Tensor>();
        if (aligners.Count > 0 && Config.ShareAlignmentAcrossFrames && !trace && t > 1)
        {
            // One shared aligner: align all supporting frames as one batch of B*(T-1) pairs (the same
            // computation as a loop over frames, with a quarter of the kernel launches at T-1 = 4).
            var keys = key.unsqueeze(1).expand(b, t - 1, c, key.shape[2], key.shape[3]).reshape(b * (t - 1), c, key.shape[2], key.shape[3]);
            var flatSupports = supports.reshape(b * (t - 1), c, key.shape[2], key.shape[3]);
            var all = ((IFeatureAligner)aligners[0]).Align(keys, flatSupports).reshape(b, t - 1, c, key.shape[2], key.shape[3]);
            for (int i = 0; i < t - 1; i++) aligned.Add(all.select(1, i));
        }
        else
        {
            for (int i = 0; i < t - 1; i++)
            {
                var support = supports.select(1, i);
                if (Config.NeedsAnnotatedMotion)
                {
                    var flow = supportFlows!.select(1, i).to(support.device);                     // [B, 2, h, w]
                    aligned.Add(FlowWarp.Warp(support, flow));                                      // [B, C, h, w]
                    if (trace)
                    {
                        var entry = keepGraph ? new GraphAlignmentTrace() : new List<AlignmentFields>();
                        entry.Add(AlignmentFields.Total(flow, entry));
                        fields.Add(entry);
                    }
                    continue;
                }
                if (aligners.Count == 0)
                {
                    aligned.Add(support);
                    continue;
                }
                var aligner = (IFeatureAligner)aligners[Config.ShareAlignmentAcrossFrames ? 0 : i];
                List<AlignmentFields>? stageFields = !trace ? null : keepGraph ? new GraphAlignmentTrace() : new List<AlignmentFields>();
                aligned.Add(aligner.Align(key, support, stageFields));
                if (stageFields is not null) fields.Add(stageFields);
            }
        }

        var concatenated = torch.cat(new[] { key }.Concat(aligned).ToArray(), dim: 1); // [B, T*C, h, w]
        var heatmaps = head.call(concatenated);                                          // [B, J, h, w]
        var alignedStack = aligned.Count > 0
            ? torch.stack(aligned, dim: 1)
            : torch.empty(new[] { b, 0, c, key.shape[2], key.shape[3] }, device: key.device);
        var result = new DsaOutput(heatmaps, key.alias(), supports.alias(), alignedStack, fields);
        result.Heatmaps.MoveToOuterDisposeScope();
        result.KeyFeatures.MoveToOuterDisposeScope();
        result.SupportFeatures.MoveToOuterDisposeScope();
        result.AlignedFeatures.MoveToOuterDisposeScope();
        return result;
    }

    private void CheckFlows(Tensor frames, Tensor? flows)
    {
        var (h, w) = Config.HeatmapSize;
        long[] expected = [frames.shape[0], Config.SupportOffsets.Count, 2, h, w];
        if (flows is null)
            throw new ArgumentException("Ground-truth-flow alignment needs each batch's annotated motion: pass supportFlows " +
                $"[{string.Join(", ", expected)}] (JointMotionBatch.DenseFlow); it is a diagnostic for annotated data, not a predictor.");
        if (!flows.shape.SequenceEqual(expected))
            throw new ArgumentException($"supportFlows must be [{string.Join(", ", expected)}] (B, T-1, (dy, dx), h, w); got [{string.Join(", ", flows.shape)}].");
    }

    private void CheckFrames(Tensor frames)
    {
        if (frames.dim() != 5 || frames.shape[2] != 3)
            throw new ArgumentException($"DsaNet expects frames [B, T, 3, H, W]; got [{string.Join(", ", frames.shape)}].");
        if (frames.shape[1] != Config.FrameCount)
            throw new ArgumentException($"DsaNet expects T = {Config.FrameCount} frames (key + supporting offsets [{string.Join(", ", Config.SupportOffsets)}]); got T = {frames.shape[1]}.");
        if (frames.shape[3] != Config.InputHeight || frames.shape[4] != Config.InputWidth)
            throw new ArgumentException($"DsaNet was configured for {Config.InputHeight}x{Config.InputWidth} input; got {frames.shape[3]}x{frames.shape[4]}.");
    }
}
