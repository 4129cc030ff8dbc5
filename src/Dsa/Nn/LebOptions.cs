namespace Dsa.Nn;

/// <summary>Switches of the <see cref="LocalEnhancementBlock"/> (DSA-READING.md, "LEB").</summary>
/// <param name="ZeroInit">Zero-initialise the last conv of phi, so that training starts with Q = I, k = 0
/// (the adaptive convolution is then a plain 3x3 convolution). When false, that conv keeps PyTorch's
/// default initialisation and the initial affine field is I plus a small random residual.</param>
public sealed record LebOptions(bool ZeroInit = true);
