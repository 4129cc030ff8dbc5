using Dsa.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Dsa.Nn;

/// <summary>
/// HRNet for pose estimation, a port of the official <c>lib/models/pose_hrnet.py</c>
/// (leoxiaobin/deep-high-resolution-net.pytorch) whose parameter and buffer names and order equal
/// the official <c>state_dict()</c>, so official checkpoints load strictly. Stem (two stride-2 3x3
/// convs, 64 channels) -> layer1 (4 Bottlenecks, 256 channels) -> transition1 -> stage2 ->
/// transition2 -> stage3 -> transition3 -> stage4 (last module fuses into branch 0 only) ->
/// final_layer (conv with bias, no activation).
/// </summary>
public sealed class HRNet : Module<Tensor, Tensor>
{
    /// <summary>Input sides must be multiples of this: four halvings after the /4 stem must stay exact for the nearest-upsampling fusion.</summary>
    public const int InputMultiple = 32;

    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Sequential layer1;
    private readonly OptionalModuleList<Sequential> transition1, transition2, transition3;
    private readonly OptionalModuleList<HighResolutionModule> stage2, stage3, stage4;
    private readonly Conv2d? final_layer;

    public HrnetConfig Config { get; }

    /// <summary>Channels of <see cref="Features"/>: the highest-resolution stage-4 branch (C0).</summary>
    public long FeatureChannels { get; }

    public bool HasFinalLayer => final_layer is not null;

    public HRNet(string name, HrnetConfig config, bool includeFinalLayer = true) : base(name)
    {
        OneDnnConvolutions.EnsureConfigured(); // before the first convolution: see its remarks
        config.Validate();
        Config = config;
        long stem = config.StemChannels;

        conv1 = Conv2d(3, stem, 3, stride: 2, padding: 1, bias: false);
        bn1 = BatchNorm2d(stem);
        conv2 = Conv2d(stem, stem, 3, stride: 2, padding: 1, bias: false);
        bn2 = BatchNorm2d(stem);
        long layer1Out = stem * HrnetResidualBlock.Expansion(HrnetBlockType.Bottleneck); // 256 in the official network
        layer1 = Sequential(Enumerable.Range(0, config.Layer1Blocks).Select(b => (Module<Tensor, Tensor>)new HrnetResidualBlock(
            $"layer1.{b}", HrnetBlockType.Bottleneck, b == 0 ? stem : layer1Out, stem)).ToArray());

        var previous = new[] { layer1Out };
        transition1 = Transition("transition1", previous, config.Stage2);
        stage2 = Stage("stage2", config.Stage2, multiScaleOutput: true);
        transition2 = Transition("transition2", Channels(config.Stage2), config.Stage3);
        stage3 = Stage("stage3", config.Stage3, multiScaleOutput: true);
        transition3 = Transition("transition3", Channels(config.Stage3), config.Stage4);
        stage4 = Stage("stage4", config.Stage4, multiScaleOutput: false);
        FeatureChannels = config.Stage4.BranchChannels(0);
        if (includeFinalLayer)
            final_layer = Conv2d(FeatureChannels, config.NumJoints, config.FinalConvKernel, padding: config.FinalConvKernel == 3 ? 1 : 0);

        // Registration order = the official __init__ order = state_dict order.
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        register_module("layer1", layer1);
        register_module("transition1", transition1);
        register_module("stage2", stage2);
        register_module("transition2", transition2);
        register_module("stage3", stage3);
        register_module("transition3", transition3);
        register_module("stage4", stage4);
        if (final_layer is not null) register_module("final_layer", final_layer);
    }

    private static long[] Channels(HrnetStageConfig stage) => Enumerable.Range(0, stage.NumBranches).Select(stage.BranchChannels).ToArray();

    /// <summary>
    /// Official _make_transition_layer: an existing branch keeps its tensor (None) unless its width
    /// changes (3x3 conv + BN + ReLU); each new branch i is a chain of (i+1-previous) stride-2 3x3
    /// conv + BN + ReLU steps from the previous stage's last branch.
    /// </summary>
    private static OptionalModuleList<Sequential> Transition(string name, long[] pre, HrnetStageConfig next)
    {
        var cur = Channels(next);
        return new OptionalModuleList<Sequential>(name, Enumerable.Range(0, cur.Length).Select(i =>
        {
            if (i < pre.Length)
                return pre[i] == cur[i] ? null : Sequential(Conv2d(pre[i], cur[i], 3, padding: 1, bias: false), BatchNorm2d(cur[i]), ReLU());
            int steps = i + 1 - pre.Length;
            return Sequential(Enumerable.Range(0, steps).Select(k =>
            {
                long inC = pre[^1], outC = k == steps - 1 ? cur[i] : inC;
                return (Module<Tensor, Tensor>)Sequential(Conv2d(inC, outC, 3, stride: 2, padding: 1, bias: false), BatchNorm2d(outC), ReLU());
            }).ToArray());
        }));
    }

    private static OptionalModuleList<HighResolutionModule> Stage(string name, HrnetStageConfig stage, bool multiScaleOutput) =>
        new(name, Enumerable.Range(0, stage.NumModules).Select(m =>
            new HighResolutionModule($"{name}.{m}", stage, multiScaleOutput || m < stage.NumModules - 1)));

    /// <summary>Throws <see cref="ArgumentException"/> unless both sides are positive multiples of <see cref="InputMultiple"/>.</summary>
    public static void ValidateInputSize(long height, long width)
    {
        if (height <= 0 || width <= 0 || height % InputMultiple != 0 || width % InputMultiple != 0)
            throw new ArgumentException(
                $"HRNet input height and width must be multiples of {InputMultiple}, got {height}x{width} (HxW): the four branches run at 1/4 ... 1/32 of the input and the official " +
                $"pose_hrnet.py fuses them by exact 2x/4x/8x nearest upsampling, which fails otherwise (e.g. 64x48: 12 -> 6 -> 3 -> 2, and 2*8 != 12). Use e.g. 256x192 or 384x288.");
    }

    /// <summary>x [B, 3, H, W] -> highest-resolution stage-4 features [B, C0, H/4, W/4] (before final_layer).</summary>
    public Tensor Features(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != 3)
            throw new ArgumentException($"HRNet expects input [B, 3, H, W], got [{string.Join(", ", x.shape)}].");
        ValidateInputSize(x.shape[2], x.shape[3]);
        using var scope = torch.NewDisposeScope();
        var y = functional.relu(bn1.call(conv1.call(x)));      // [B, 64, H/2, W/2]
        y = functional.relu(bn2.call(conv2.call(y)));          // [B, 64, H/4, W/4]
        y = layer1.call(y);                                    // [B, 256, H/4, W/4]
        var branches = new[] { y };
        foreach (var (transition, stage) in new[] { (transition1, stage2), (transition2, stage3), (transition3, stage4) })
        {
            // Official forward: a non-None transition entry is applied to the previous stage's last branch.
            branches = Enumerable.Range(0, transition.Count)
                .Select(i => transition[i] is { } t ? t.call(branches[^1]) : branches[i]).ToArray(); // branch i: [B, C_i, H/2^(i+2), W/2^(i+2)]
            for (int m = 0; m < stage.Count; m++) branches = stage[m]!.call(branches);
        }
        return scope.MoveToOuter(branches[0]);                 // [B, C0, H/4, W/4]
    }

    /// <summary>x [B, 3, H, W] -> heatmaps [B, NUM_JOINTS, H/4, W/4]; needs the final layer.</summary>
    public override Tensor forward(Tensor x)
    {
        if (final_layer is null) throw new InvalidOperationException($"{GetName()} was built without final_layer; use Features().");
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(final_layer.call(Features(x)));
    }

    /// <summary>
    /// Loads an official checkpoint (e.g. pose_hrnet_w32_256x192.pth, zip or legacy format) strictly
    /// into the backbone. <c>final_layer.*</c> is ignored when this model has no final layer or its
    /// joint count differs from the checkpoint's (COCO has 17 joints, PoseTrack 15), or the checkpoint
    /// has no head; the head then keeps its initialisation. Names and shapes are matched before any
    /// weight is read, and only matching weights are read (<see cref="StateDictLoader"/>), under
    /// <paramref name="limits"/> (default: twice the file plus this model's size). Errors name the file and the keys.
    /// </summary>
    public LoadReport LoadOfficialCheckpoint(string pthPath, TensorReadLimits? limits = null)
    {
        using var stateDict = PthReader.OpenStateDict(pthPath, limits, StateDictLoader.Bytes(this));
        bool headFits = final_layer is not null && stateDict.Find("final_layer.weight") is { Shape: [var joints, ..] } && joints == Config.NumJoints;
        const string head = "final_layer.";
        try { return StateDictLoader.Load(this, stateDict.Tensors, strict: true, ignoreKey: headFits ? null : k => k.StartsWith(head, StringComparison.Ordinal)); }
        catch (InvalidDataException e) when (!e.Message.StartsWith(pthPath, StringComparison.Ordinal)) { throw new InvalidDataException($"{pthPath}: {e.Message}", e); }
    }
}
