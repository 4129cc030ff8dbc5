namespace Dsa.Nn;

/// <summary>
/// The sizes of one checked <see cref="DeformConv.DeformConv2d"/> call: input [Batch, InChannels, Height, Width],
/// weight [OutChannels, InChannels/Groups, KernelH, KernelW], OffsetGroups offset groups, output
/// [Batch, OutChannels, OutHeight, OutWidth] (torchvision's output-size formula).
/// </summary>
internal readonly record struct DeformConvGeometry(
    long Batch, long InChannels, long Height, long Width, long OutChannels,
    long KernelH, long KernelW, long StrideH, long StrideW, long PadH, long PadW, long DilationH, long DilationW,
    long Groups, long OffsetGroups, long OutHeight, long OutWidth)
{
    /// <summary>Taps K = kh * kw.</summary>
    public long Taps => KernelH * KernelW;

    /// <summary>Output positions of one image, Ho * Wo.</summary>
    public long Positions => OutHeight * OutWidth;
}
