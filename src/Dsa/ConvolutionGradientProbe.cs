using TorchSharp;
using static TorchSharp.torch;

namespace Dsa;

/// <summary>
/// Checks the convolution backward pass libtorch runs now against float64 (which no fast CPU kernel serves, so it
/// takes libtorch's own reference path): the input and weight gradients of a few convolutions shaped like this
/// library's (3x3 at heatmap resolution, a stride-2 3x3, a 1x1 reduce). <see cref="OneDnnConvolutions"/> runs it once
/// per process to decide whether oneDNN may stay on.
/// </summary>
/// <remarks>
/// Why a probe and not a fixed answer: libtorch 2.10's oneDNN computed wrong input gradients (up to 51 % off, some
/// NaN) for 36 % of such 3x3 convolutions on the AMD EPYC machines this project ran on, and right ones on the Intel
/// Xeon (Sapphire Rapids) machines it runs on too, where oneDNN makes a DSA training step twice as fast. Each case
/// draws from its own generator, so the probe leaves the global random state (and so every seeded run) untouched.
/// </remarks>
public static class ConvolutionGradientProbe
{
    /// <summary>Largest |float32 - float64| / max |float64| a gradient may have (float32 rounding is about 1e-6 here).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>One probe convolution: input [2, In, H, W], weight [Out, In, K, K], with its stride and padding.</summary>
    public sealed record Case(long In, long Out, long Height, long Width, long Kernel, long Stride)
    {
        public long Padding => Kernel / 2;
        public override string ToString() => $"{In}->{Out} {Kernel}x{Kernel}/{Stride} at {Height}x{Width}";
    }

    /// <summary>Gradients of 0.5 * sum((conv(x, w, b) - target)^2) with respect to x and w.</summary>
    public delegate (Tensor Input, Tensor Weight) GradientPath(Case shape, Tensor x, Tensor weight, Tensor bias, Tensor target);

    /// <summary>The cases: where the fault showed (3x3, 6-32 channels, 32x24 and 8x6) plus a strided and a 1x1 one.</summary>
    public static IReadOnlyList<Case> Cases { get; } =
    [
        new(6, 3, 32, 24, 3, 1), new(6, 15, 32, 24, 3, 1), new(6, 32, 32, 24, 3, 1),
        new(16, 3, 32, 24, 3, 1), new(16, 15, 32, 24, 3, 1), new(16, 16, 32, 24, 3, 1),
        new(32, 3, 32, 24, 3, 1), new(32, 27, 32, 24, 3, 1), new(32, 32, 8, 6, 3, 1),
        new(16, 16, 32, 24, 3, 2), new(80, 16, 32, 24, 1, 1), new(16, 15, 8, 6, 3, 1),
    ];

    /// <summary>The backward pass as libtorch runs it now (oneDNN or not, whatever the process has chosen).</summary>
    public static (Tensor Input, Tensor Weight) LibtorchGradients(Case shape, Tensor x, Tensor weight, Tensor bias, Tensor target)
    {
        var input = x.detach().requires_grad_(true);
        var w = weight.detach().requires_grad_(true);
        using (var y = nn.functional.conv2d(input, w, bias, strides: [shape.Stride, shape.Stride], padding: [shape.Padding, shape.Padding]))
        using (var loss = (y - target).pow(2).sum() * 0.5)
            loss.backward();
        return (input.grad!.detach(), w.grad!.detach());
    }

    /// <summary>Runs every case through <paramref name="float32Path"/> and through float64, and compares.</summary>
    public static ConvolutionGradientCheck Run(GradientPath? float32Path = null)
    {
        float32Path ??= LibtorchGradients;
        var failures = new List<string>();
        double worst = 0;
        using var enableGrad = torch.enable_grad();
        for (int i = 0; i < Cases.Count; i++)
        {
            var shape = Cases[i];
            using var scope = NewDisposeScope();
            using var generator = new Generator((ulong)(7919 + i));
            var x = torch.randn([2, shape.In, shape.Height, shape.Width], generator: generator);  // [B, C, H, W]
            var weight = torch.randn([shape.Out, shape.In, shape.Kernel, shape.Kernel], generator: generator) * 0.1; // [O, C, K, K]
            var bias = torch.randn([shape.Out], generator: generator) * 0.1;
            long oh = (shape.Height + 2 * shape.Padding - shape.Kernel) / shape.Stride + 1;
            long ow = (shape.Width + 2 * shape.Padding - shape.Kernel) / shape.Stride + 1;
            var target = torch.rand([2, shape.Out, oh, ow], generator: generator);               // [B, O, H', W']

            var (gx, gw) = float32Path(shape, x, weight, bias, target);
            var (rx, rw) = LibtorchGradients(shape, x.to(ScalarType.Float64), weight.to(ScalarType.Float64),
                bias.to(ScalarType.Float64), target.to(ScalarType.Float64));
            foreach (var (name, got, reference) in new[] { ("input", gx, rx), ("weight", gw, rw) })
            {
                double error = RelativeError(got, reference);
                if (!(error <= Tolerance)) failures.Add($"{shape}: {name} gradient off by {error:G3}");
                worst = Math.Max(worst, error);
            }
        }
        return new ConvolutionGradientCheck(Cases.Count * 2, failures, worst);
    }

    /// <summary>max |got - reference| / max |reference|; infinity where got is not finite or has another shape.</summary>
    private static double RelativeError(Tensor got, Tensor reference)
    {
        if (!got.shape.SequenceEqual(reference.shape)) return double.PositiveInfinity;
        var g = got.to(ScalarType.Float64);
        if (!g.isfinite().all().item<bool>()) return double.PositiveInfinity;
        double scale = reference.abs().max().item<double>();
        return (g - reference).abs().max().item<double>() / Math.Max(scale, 1e-30);
    }
}
