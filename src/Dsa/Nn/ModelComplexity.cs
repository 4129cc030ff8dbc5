using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>Model size and cost as papers report them: parameter count and multiply-adds (MACs, often printed as "GFLOPs").</summary>
public static class ModelComplexity
{
    /// <summary>Number of scalar parameters (buffers such as BN running statistics excluded).</summary>
    public static long CountParameters(nn.Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>
    /// Multiply-adds of one forward pass on a zero input of <paramref name="inputShape"/>, counted with
    /// forward hooks on Conv2d (output elements x in_channels/groups x kh x kw) and Linear (output
    /// elements x in_features). BatchNorm, activations, additions, resampling and any other layer
    /// type are not counted, as in the official HRNet model summary.
    /// </summary>
    public static long CountMultiplyAdds(nn.Module<Tensor, Tensor> module, params long[] inputShape)
    {
        long macs = 0;
        var removers = new List<Action>();
        foreach (var m in module.modules().Prepend(module))
        {
            switch (m)
            {
                case Conv2d conv:
                    // weight [out, in/groups, kh, kw]: each output element costs in/groups*kh*kw MACs.
                    long perOutput = conv.weight!.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                    var convHook = conv.register_forward_hook((_, _, output) => { macs += output.numel() * perOutput; return output; });
                    removers.Add(() => convHook.remove());
                    break;
                case Linear linear:
                    long inFeatures = linear.weight!.shape[1];
                    var linearHook = linear.register_forward_hook((_, _, output) => { macs += output.numel() * inFeatures; return output; });
                    removers.Add(() => linearHook.remove());
                    break;
            }
        }
        bool wasTraining = module.training;
        try
        {
            module.eval();
            using var _ = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var device = module.parameters().FirstOrDefault()?.device ?? torch.CPU;
            module.call(torch.zeros(inputShape, device: device));
        }
        finally
        {
            foreach (var remove in removers) remove();
            module.train(wasTraining);
        }
        return macs;
    }
}
