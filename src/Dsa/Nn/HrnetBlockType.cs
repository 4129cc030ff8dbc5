namespace Dsa.Nn;

/// <summary>The residual block of an HRNet stage: the official config's BLOCK field (BASIC / BOTTLENECK).</summary>
public enum HrnetBlockType
{
    /// <summary>Two 3x3 convolutions (expansion 1); every branch of the official pose configs.</summary>
    Basic,

    /// <summary>1x1 -> 3x3 -> 1x1 with expansion 4; hard-coded for layer1.</summary>
    Bottleneck,
}
