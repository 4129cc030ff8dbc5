using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>Small building blocks shared by the DSA modules.</summary>
public static class Layers
{
    /// <summary>conv(k x k, no bias) - BatchNorm - ReLU, 'same' padding for odd k: [B, in, h, w] -> [B, out, h/stride, w/stride].</summary>
    public static nn.Module<Tensor, Tensor> ConvBnRelu(long inChannels, long outChannels, long kernel, long stride = 1) =>
        nn.Sequential(
            ("0", nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: kernel / 2, bias: false)),
            ("1", nn.BatchNorm2d(outChannels)),
            ("2", nn.ReLU()));
}
