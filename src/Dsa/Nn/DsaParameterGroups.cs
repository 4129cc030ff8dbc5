using TorchSharp.Modules;

namespace Dsa.Nn;

/// <summary>
/// DsaNet's parameters by role, named by the model so that the trainer asks for them instead of matching
/// parameter names (TrainConfig.PredictorLearningRateFactor trains the alignment predictors at their own rate).
/// The three lists are disjoint and together hold every parameter once.
/// </summary>
/// <param name="Backbone">HRNet's parameters (frozen when ModelConfig.FreezeBackbone).</param>
/// <param name="AlignmentPredictors">GAB's offset and mask branches and LEB's affine branch: the layers that predict
/// where to sample (DCNv2 trains them at a lower rate; the paper is silent).</param>
/// <param name="Rest">Everything else: the aligned-feature convolutions (GAB's deformable conv, LEB's adaptive conv),
/// the U-Net's fusion layers, the head.</param>
public sealed record DsaParameterGroups(IReadOnlyList<Parameter> Backbone, IReadOnlyList<Parameter> AlignmentPredictors, IReadOnlyList<Parameter> Rest);
