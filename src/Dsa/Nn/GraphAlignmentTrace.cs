namespace Dsa.Nn;

/// <summary>
/// A trace of the alignment fields that stays in the autograd graph, for a loss on the fields themselves (the
/// offset-supervision diagnostic, TrainConfig.OffsetSupervision). An ordinary trace holds detached copies, for
/// pictures; given this one, <see cref="AlignmentStage"/> records the fields it computed, gradients and all.
/// </summary>
public sealed class GraphAlignmentTrace : List<AlignmentFields>;
