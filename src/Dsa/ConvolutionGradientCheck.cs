namespace Dsa;

/// <summary>What <see cref="ConvolutionGradientProbe.Run"/> found: how many gradients it compared and which were off.</summary>
public sealed record ConvolutionGradientCheck(int Compared, IReadOnlyList<string> Failures, double WorstRelativeError)
{
    public bool Passed => Failures.Count == 0;

    public override string ToString() => Passed
        ? $"{Compared} of {Compared} convolution gradients match float64 (worst {WorstRelativeError:G2} relative)"
        : $"{Failures.Count} of {Compared} convolution gradients differ from float64 (worst {WorstRelativeError:G3}; first: {Failures[0]})";
}
