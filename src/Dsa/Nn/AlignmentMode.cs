namespace Dsa.Nn;

/// <summary>How supporting-frame features are brought to the key frame (DSA-READING.md, "U-Net-like").</summary>
public enum AlignmentMode
{
    /// <summary>The paper's default: GAB+LEB at every scale of a symmetric U-Net-like encoder/decoder.</summary>
    SymmetricUNet,
    /// <summary>Ablation "r/m U-Net-like architecture": GAB/LEB layers cascaded at full resolution.</summary>
    Cascade,
    /// <summary>Ablation "r/m alignment": supporting features are concatenated unaligned.</summary>
    None,
    /// <summary>
    /// Not in the paper, a diagnostic: supporting features warped by the annotated joints' true motion, interpolated
    /// into a dense field (<see cref="FlowWarp"/>), with no learned alignment. It measures what alignment is worth when
    /// it is right; it needs each batch's annotations, at training and at evaluation time.
    /// </summary>
    GroundTruthFlow,
    /// <summary>
    /// Not in the paper, a diagnostic: as <see cref="GroundTruthFlow"/>, but each supporting frame is shifted as a whole
    /// by the person's mean joint displacement (a global alignment per person; no joint-by-joint field).
    /// </summary>
    GroundTruthTranslation,
}
