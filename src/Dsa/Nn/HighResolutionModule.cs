using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Dsa.Nn;

/// <summary>
/// The official HighResolutionModule: parallel branches of residual blocks, then fusion
/// y_i = relu(sum_j F_ij(x_j)) summed in order j = 0, 1, ... with F_ii the identity,
/// F_ij (j &gt; i) = conv1x1 + BN + nearest upsampling by 2^(j-i), F_ij (j &lt; i) = (i-j) stride-2 3x3
/// convs (+BN, ReLU on all but the last). With <c>multiScaleOutput</c> false only branch 0 is fused
/// and returned (the last module of stage 4).
/// </summary>
internal sealed class HighResolutionModule : Module<Tensor[], Tensor[]>
{
    private readonly OptionalModuleList<Sequential> branches;
    private readonly OptionalModuleList<OptionalModuleList<Sequential>>? fuse_layers;

    public HighResolutionModule(string name, HrnetStageConfig stage, bool multiScaleOutput) : base(name)
    {
        int n = stage.NumBranches;
        var channels = Enumerable.Range(0, n).Select(stage.BranchChannels).ToArray();
        branches = new OptionalModuleList<Sequential>("branches", Enumerable.Range(0, n).Select(i =>
            Sequential(Enumerable.Range(0, stage.NumBlocks[i]).Select(b =>
                (Module<Tensor, Tensor>)new HrnetResidualBlock($"block{b}", stage.Block, channels[i], stage.NumChannels[i])).ToArray())));
        register_module("branches", branches);
        if (n == 1) return; // the official module has fuse_layers = None then

        fuse_layers = new OptionalModuleList<OptionalModuleList<Sequential>>("fuse_layers",
            Enumerable.Range(0, multiScaleOutput ? n : 1).Select(i => new OptionalModuleList<Sequential>($"fuse{i}",
                Enumerable.Range(0, n).Select(j => FuseLayer(channels, i, j)))));
        register_module("fuse_layers", fuse_layers);
    }

    private static Sequential? FuseLayer(long[] c, int i, int j)
    {
        if (j == i) return null;
        if (j > i)
        {
            double s = Math.Pow(2, j - i);
            return Sequential(Conv2d(c[j], c[i], 1, bias: false), BatchNorm2d(c[i]),
                Upsample(scale_factor: new[] { s, s }, mode: UpsampleMode.Nearest));
        }
        var steps = new List<Module<Tensor, Tensor>>();
        for (int k = 0; k < i - j; k++)
        {
            bool last = k == i - j - 1;
            long outC = last ? c[i] : c[j];
            var conv = Conv2d(c[j], outC, 3, stride: 2, padding: 1, bias: false);
            steps.Add(last ? Sequential(conv, BatchNorm2d(outC)) : Sequential(conv, BatchNorm2d(outC), ReLU()));
        }
        return Sequential(steps.ToArray());
    }

    /// <summary>Branch i of <paramref name="x"/> is [B, C_i, H/2^i, W/2^i]; returns all branches, or branch 0 only.</summary>
    public override Tensor[] forward(Tensor[] x)
    {
        int n = branches.Count;
        if (x.Length != n) throw new ArgumentException($"{GetName()}: expects {n} branch inputs, got {x.Length}.");
        var y = new Tensor[n];
        for (int i = 0; i < n; i++) y[i] = branches[i]!.call(x[i]);
        if (fuse_layers is null) return y;

        var fused = new Tensor[fuse_layers.Count];
        for (int i = 0; i < fused.Length; i++)
        {
            var row = fuse_layers[i]!;
            var sum = i == 0 ? y[0] : row[0]!.call(y[0]);
            for (int j = 1; j < n; j++) sum = sum + (j == i ? y[j] : row[j]!.call(y[j]));
            fused[i] = functional.relu(sum);
        }
        return fused;
    }
}
