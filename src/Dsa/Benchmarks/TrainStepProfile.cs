namespace Dsa.Benchmarks;

/// <summary>
/// Where a training step's time went (`dsa bench train --profile`): each phase's median over the timed steps, in
/// seconds, and what the .NET garbage collector did meanwhile. The PyTorch mirror writes the same fields (the GC ones
/// null). Medians of the parts need not add up to the median of the whole; <see cref="StepSeconds"/> is the median of
/// the whole step as the phases' clock saw it (with the dispose scope's end, which no phase holds).
/// </summary>
/// <param name="ZeroGradSeconds">optimizer.zero_grad().</param>
/// <param name="ForwardSeconds">DsaNet.forward on [B, T, 3, H, W].</param>
/// <param name="LossSeconds">JointsMseLoss (eq. 7).</param>
/// <param name="BackwardSeconds">loss.backward().</param>
/// <param name="OptimizerSeconds">Adam's step.</param>
/// <param name="ItemSeconds">loss.item(): the scalar read the Trainer does every step (its log line and non-finite check);
/// the profiled step does it, the unprofiled one does not.</param>
/// <param name="BackboneSeconds">Part of the forward: from its start until the alignment starts (the first module call
/// inside the aligner) or, with no aligner, until the head starts. The backbone over all B*T frames plus reshapes.</param>
/// <param name="AlignmentSeconds">Part of the forward: from the first module call inside the aligner until the head
/// starts (alignment of all B*(T-1) pairs and the concatenation); null for a model without alignment.</param>
/// <param name="HeadSeconds">Part of the forward: the head's call.</param>
/// <param name="ForwardSplit">How the forward was split: by hooks on the model's own modules during the timed
/// forward (<see cref="HooksInForward"/>), so the forward timed is the model's, not one written for the benchmark.</param>
/// <param name="Gen0Collections">.NET collections of generation 0 during the timed steps (GC.CollectionCount deltas, summed; includes the higher generations').</param>
/// <param name="GcPauseSeconds">GC.GetTotalPauseDuration's growth over the timed steps.</param>
public sealed record TrainStepProfile(
    double ZeroGradSeconds,
    double ForwardSeconds,
    double LossSeconds,
    double BackwardSeconds,
    double OptimizerSeconds,
    double ItemSeconds,
    double StepSeconds,
    double? BackboneSeconds,
    double? AlignmentSeconds,
    double? HeadSeconds,
    string ForwardSplit,
    int? Gen0Collections = null,
    int? Gen1Collections = null,
    int? Gen2Collections = null,
    double? GcPauseSeconds = null)
{
    public const string HooksInForward = "module hooks in the model's forward";

    /// <summary>The phases by the names the report and the mirror use, in step order (the forward's parts after the phases).</summary>
    public IReadOnlyList<(string Name, double? Seconds)> Phases() =>
    [
        ("zeroGrad", ZeroGradSeconds), ("forward", ForwardSeconds), ("loss", LossSeconds), ("backward", BackwardSeconds),
        ("optimizer", OptimizerSeconds), ("item", ItemSeconds), ("step", StepSeconds),
        ("backbone", BackboneSeconds), ("alignment", AlignmentSeconds), ("head", HeadSeconds),
    ];

    /// <summary>The sum of the step's top-level phases (zero_grad, forward, loss, backward, optimizer, item).</summary>
    public double PhaseSum => ZeroGradSeconds + ForwardSeconds + LossSeconds + BackwardSeconds + OptimizerSeconds + ItemSeconds;
}
