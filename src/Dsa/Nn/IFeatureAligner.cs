using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>Aligns a supporting frame's features to the key frame's (the middle of DSA's pipeline).</summary>
public interface IFeatureAligner
{
    /// <summary>
    /// key [B, C, h, w], support [B, C, h, w] -> aligned support [B, C, h, w]; when
    /// <paramref name="trace"/> is given, every stage's predicted fields are appended to it.
    /// </summary>
    Tensor Align(Tensor key, Tensor support, IList<AlignmentFields>? trace = null);
}
