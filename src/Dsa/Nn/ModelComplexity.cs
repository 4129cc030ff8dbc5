using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>What ModelComplexity.Measure found by running the model once.</summary>
/// <param name="Parameters">All parameters (trainable or not).</param>
/// <param name="TrainableParameters">Parameters with requires_grad.</param>
/// <param name="MultiplyAdds">Multiply-accumulates of one forward pass for ONE sample: convolutions
/// (regular, deformable and adaptive: Cout x Cin/groups x kh x kw per output pixel) and linear layers.
/// Bilinear sampling, BatchNorm and activations are not counted (the usual convention of FLOP counters
/// such as fvcore/ptflops, "MACs").</param>
/// <param name="OutputShape">Shape of the output for a batch of one.</param>
public sealed record ModelSummary(long Parameters, long TrainableParameters, long MultiplyAdds, long[] OutputShape);

/// <summary>Counts parameters and multiply-adds by running a forward pass with hooks.</summary>
public static class ModelComplexity
{
    /// <summary>Number of scalar parameters (buffers such as BN running statistics excluded).</summary>
    public static long CountParameters(nn.Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>Multiply-adds of one forward pass of <paramref name="module"/> on a zero input of <paramref name="inputShape"/> (batch 1).</summary>
    public static long CountMultiplyAdds(nn.Module<Tensor, Tensor> module, params long[] inputShape) =>
        Measure(module, inputShape, x => module.call(x)).MultiplyAdds;

    /// <summary>Builds a zero input of <paramref name="inputShape"/> (batch 1), runs <paramref name="forward"/> in eval mode without gradients, and counts.</summary>
    public static ModelSummary Measure(nn.Module module, long[] inputShape, Func<Tensor, Tensor> forward)
    {
        if (inputShape.Length == 0 || inputShape[0] != 1)
            throw new ArgumentException($"ModelComplexity.Measure: the input shape must start with batch 1; got [{string.Join(", ", inputShape)}].");
        long macs = 0;
        var removers = new List<Action>();
        foreach (var m in module.modules().Prepend(module))
        {
            switch (m)
            {
                case Conv2d conv:
                {
                    var r = conv.register_forward_hook((mod, input, output) =>
                    {
                        var w = conv.weight!.shape; // [Cout, Cin/groups, kh, kw]
                        macs += output.numel() * w[1] * w[2] * w[3];
                        return output;
                    });
                    removers.Add(r.remove);
                    break;
                }
                case Linear linear:
                {
                    var r = linear.register_forward_hook((mod, input, output) =>
                    {
                        macs += output.numel() * linear.weight!.shape[1];
                        return output;
                    });
                    removers.Add(r.remove);
                    break;
                }
                case ModulatedDeformConv2d deform:
                {
                    var r = deform.register_forward_hook((mod, input, offset, mask, output) =>
                    {
                        var w = deform.Weight.shape;
                        macs += output.numel() * w[1] * w[2] * w[3];
                        return output;
                    });
                    removers.Add(r.remove);
                    break;
                }
                case AdaptiveConv2d adaptive:
                {
                    var r = adaptive.register_forward_hook((mod, input, affine, output) =>
                    {
                        var w = adaptive.Weight.shape;
                        macs += output.numel() * w[1] * w[2] * w[3];
                        return output;
                    });
                    removers.Add(r.remove);
                    break;
                }
            }
        }
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var _ = torch.no_grad();
            var device = module.parameters().FirstOrDefault()?.device ?? torch.CPU;
            using var input = torch.zeros(inputShape, device: device);
            using var output = forward(input);
            long total = CountParameters(module);
            long trainable = module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
            return new ModelSummary(total, trainable, macs, output.shape);
        }
        finally
        {
            foreach (var remove in removers) remove();
            module.train(wasTraining);
        }
    }

    /// <summary>Summary of a DSA network for one sample (key frame + supporting frames).</summary>
    public static ModelSummary Measure(DsaNet net) =>
        Measure(net, new long[] { 1, net.Config.FrameCount, 3, net.Config.InputHeight, net.Config.InputWidth }, x => net.call(x));
}
