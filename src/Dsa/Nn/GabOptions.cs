namespace Dsa.Nn;

/// <summary>
/// Switches of the <see cref="GlobalAlignmentBlock"/> (DSA-READING.md, "GAB").
/// </summary>
/// <param name="Deformable">false = the paper's ablation "GAB with regular convolution layer": offsets
/// fixed at 0 and M = 1, and the offset/mask predictors are not built (no parameters).</param>
/// <param name="SigmoidMask">M = sigmoid(T_M(.)) (DCNv2's choice; the paper does not say). When false, M is
/// the raw prediction.</param>
/// <param name="ZeroInit">Zero-initialise the last conv of T_theta and T_M (PoseWarper's choice), so that
/// training starts as a plain 3x3 conv with offsets 0 and M = 0.5 (sigmoid) or M = 1 (no sigmoid: the
/// mask predictor's bias then starts at 1, since M = 0 would block every signal and gradient).</param>
/// <param name="OffsetGroups">Offset groups og of the deformable convolution (og*9 offset pairs, og*9 mask
/// scalars per pixel); must divide the channel count.</param>
/// <param name="Dilation">Dilation of the deformable convolution (padding = dilation keeps the size).</param>
public sealed record GabOptions(bool Deformable = true, bool SigmoidMask = true, bool ZeroInit = true, long OffsetGroups = 1, long Dilation = 1);
