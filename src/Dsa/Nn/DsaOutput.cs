using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>A DSA forward pass with its intermediate features, for the notebooks' pictures.</summary>
/// <param name="Heatmaps">[B, J, h, w].</param>
/// <param name="KeyFeatures">Backbone features of the key frame F_t [B, C, h, w].</param>
/// <param name="SupportFeatures">Unaligned supporting features F_t+d [B, T-1, C, h, w] (T-1 may be 0).</param>
/// <param name="AlignedFeatures">Aligned supporting features [B, T-1, C, h, w].</param>
/// <param name="Fields">Per supporting frame, every alignment stage's predicted fields (empty without tracing).</param>
public sealed record DsaOutput(
    Tensor Heatmaps,
    Tensor KeyFeatures,
    Tensor SupportFeatures,
    Tensor AlignedFeatures,
    IReadOnlyList<IReadOnlyList<AlignmentFields>> Fields) : IDisposable
{
    public void Dispose()
    {
        Heatmaps.Dispose();
        KeyFeatures.Dispose();
        SupportFeatures.Dispose();
        AlignedFeatures.Dispose();
        foreach (var f in Fields.SelectMany(x => x)) f.Dispose();
    }
}
