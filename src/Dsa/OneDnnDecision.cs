namespace Dsa;

/// <summary>
/// Whether oneDNN convolutions stay on in this process and why: the environment's choice, or the probe's
/// <see cref="Check"/> (null when the environment chose).
/// </summary>
public sealed record OneDnnDecision(bool Enabled, string Reason, ConvolutionGradientCheck? Check)
{
    /// <summary>The probe ran and found the backward pass wrong: only then may gradient-free forwards still use oneDNN.</summary>
    public bool FaultMeasured => Check is { Passed: false };

    public override string ToString() => $"{(Enabled ? "on" : "off")} ({Reason})";
}
