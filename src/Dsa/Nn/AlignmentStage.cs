using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// One global-to-local alignment step: GAB (eq. 1-3) coarsely aligns the supporting feature to the
/// key feature, then LEB (eq. 4-6) refines it locally. Either block can be switched off (ablations
/// "r/m GAB", "r/m LEB"); with both off the stage is the identity.
/// </summary>
public sealed class AlignmentStage : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GlobalAlignmentBlock? gab;
    private readonly LocalEnhancementBlock? leb;

    public AlignmentStage(string name, long channels, ModelConfig config) : base(name)
    {
        if (config.UseGab) gab = new GlobalAlignmentBlock("gab", channels, config.Gab, config.IdentityStart);
        if (config.UseLeb) leb = new LocalEnhancementBlock("leb", channels, config.Leb, config.IdentityStart);
        RegisterComponents();
    }

    public bool HasGab => gab is not null;

    public bool HasLeb => leb is not null;

    // key [B, C, h, w], support [B, C, h, w] -> aligned support [B, C, h, w]
    public override Tensor forward(Tensor key, Tensor support) => Forward(key, support, null, "", 0);

    /// <summary>As forward; when <paramref name="trace"/> is given, the predicted fields are added to it.</summary>
    public Tensor Forward(Tensor key, Tensor support, IList<AlignmentFields>? trace, string stage, int level) =>
        Run(key, support, trace, stage, level, wantFlow: false).Aligned;

    /// <summary>
    /// As <see cref="Forward"/>, plus the stage's mean displacement [B, 2 (dy, dx), h, w] in its level's pixels: GAB's
    /// offsets averaged over the nine taps (tap n samples p + p_n + Δp_n and the p_n sum to zero) plus LEB's translation
    /// k (the mean of its taps' offsets (Q - I) r + k, since the r sum to zero). Displacements of warps applied one after
    /// the other add up to first order, which is how the coarse-to-fine U-Net carries a coarse level's motion down.
    /// </summary>
    public (Tensor Aligned, Tensor Flow) ForwardWithFlow(Tensor key, Tensor support, IList<AlignmentFields>? trace, string stage, int level)
    {
        var (aligned, flow) = Run(key, support, trace, stage, level, wantFlow: true);
        return (aligned, flow!);
    }

    private (Tensor Aligned, Tensor? Flow) Run(Tensor key, Tensor support, IList<AlignmentFields>? trace, string stage, int level, bool wantFlow)
    {
        Tensor x = support;
        Tensor? offset = null, mask = null, affine = null, flow = null;
        if (gab is not null)
        {
            if (trace is null && !wantFlow) x = gab.forward(key, x);
            else
            {
                var (aligned, o, m) = gab.ForwardWithFields(key, x);
                x = aligned;
                if (wantFlow) flow = AlignmentFields.MeanOverTaps(o);                         // [B, 2 (dy, dx), h, w]
                // Traced fields belong to the caller: keep them out of every dispose scope. A graph trace keeps
                // the tensors themselves (a loss on them trains the predictors); others get detached copies.
                if (trace is not null)
                {
                    offset = (trace is GraphAlignmentTrace ? o.alias() : o.detach().clone()).DetachFromDisposeScope();
                    mask = (trace is GraphAlignmentTrace ? m.alias() : m.detach().clone()).DetachFromDisposeScope();
                }
            }
        }
        if (leb is not null)
        {
            if (trace is null && !wantFlow) x = leb.forward(x, key);
            else
            {
                var (enhanced, a) = leb.ForwardWithFields(x, key);
                x = enhanced;
                if (wantFlow)
                {
                    var k = a.narrow(1, 4, 2);                                                  // [B, 2 (k_y, k_x), h, w]
                    flow = flow is null ? k : flow + k;
                }
                if (trace is not null)
                    affine = (trace is GraphAlignmentTrace ? a.alias() : a.detach().clone()).DetachFromDisposeScope();
            }
        }
        trace?.Add(new AlignmentFields(stage, level, offset, mask, affine));
        if (wantFlow) flow ??= torch.zeros(new[] { support.shape[0], 2L, support.shape[2], support.shape[3] }, support.dtype, support.device);
        // With both blocks off, return a new handle so callers may dispose the result independently.
        return (ReferenceEquals(x, support) ? support.alias() : x, flow);
    }
}
