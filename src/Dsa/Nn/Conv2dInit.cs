using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// Initialisation of the convolutions in this namespace. <see cref="Reset"/> is PyTorch's default <c>nn.Conv2d.reset_parameters</c>: weight kaiming_uniform_(a = sqrt(5)), i.e.
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), with
/// fan_in = Cin/groups * kh * kw. Used by the deformable convolutions so that they start like the
/// torch Conv2d they replace; <see cref="ZeroLastConv"/> is the zero-init of the prediction heads.
/// </summary>
internal static class Conv2dInit
{
    public static void Reset(Tensor weight, Tensor? bias)
    {
        using var noGrad = torch.no_grad();
        torch.nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (bias is null) return;
        long fanIn = weight.shape[1] * weight.shape[2] * weight.shape[3];
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;
        torch.nn.init.uniform_(bias, -bound, bound);
    }

    /// <summary>
    /// A C -> C kernel [C, C, k, k] (odd k) that passes its input through times <paramref name="gain"/>: gain on the centre
    /// tap's diagonal, zero elsewhere, bias 0. The identity start of the alignment convolutions (ModelConfig.IdentityStart).
    /// </summary>
    public static void Identity(Tensor weight, Tensor? bias, double gain)
    {
        long c = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3];
        if (weight.shape[1] != c || kh % 2 == 0 || kw % 2 == 0)
            throw new ArgumentException($"An identity kernel needs [C, C, odd, odd]; got [{string.Join(", ", weight.shape)}].");
        using var noGrad = torch.no_grad();
        weight.zero_();
        weight[.., .., kh / 2, kw / 2] = torch.eye(c, dtype: weight.dtype, device: weight.device) * gain;
        bias?.zero_();
    }

    /// <summary>
    /// Sets the last Conv2d of a predictor to weight 0 and bias <paramref name="biasValue"/>, so that
    /// the predictor starts by outputting that constant (the "zero-init" of offset/mask/affine heads).
    /// </summary>
    public static void ZeroLastConv(Sequential predictor, double biasValue)
    {
        var last = predictor.children().OfType<Conv2d>().Last();
        using var noGrad = torch.no_grad();
        last.weight!.zero_();
        last.bias!.fill_(biasValue);
    }
}
