using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// Ablation "r/m U-Net-like architecture" (Table 5): the paper's baseline "performs cascaded
/// global-to-local feature alignment within six layers". We read six layers as three GAB+LEB
/// stages at full resolution (<see cref="ModelConfig.CascadeStages"/>), each aligning against the key.
/// </summary>
public sealed class CascadeAlignment : nn.Module<Tensor, Tensor, Tensor>, IFeatureAligner
{
    private readonly ModuleList<AlignmentStage> stages = new();

    public CascadeAlignment(string name, long channels, ModelConfig config) : base(name)
    {
        for (int i = 0; i < config.CascadeStages; i++)
            stages.Add(new AlignmentStage($"cascade{i}", channels, config));
        RegisterComponents();
    }

    public override Tensor forward(Tensor key, Tensor support) => Align(key, support);

    public Tensor Align(Tensor key, Tensor support, IList<AlignmentFields>? trace = null)
    {
        using var scope = NewDisposeScope();
        Tensor x = support;
        if (trace is null)
        {
            for (int i = 0; i < stages.Count; i++) x = stages[i].Forward(key, x, null, $"cascade{i}", 0);
            return x.MoveToOuterDisposeScope(); // [B, C, h, w]
        }
        // Traced: the stages' displacements add up (to first order) to the cascade's, [B, 2 (dy, dx), h, w].
        Tensor? total = null;
        for (int i = 0; i < stages.Count; i++)
        {
            (x, var flow) = stages[i].ForwardWithFlow(key, x, trace, $"cascade{i}", 0);
            total = total is null ? flow : total + flow;
        }
        trace.Add(AlignmentFields.Total(total!, trace));
        return x.MoveToOuterDisposeScope(); // [B, C, h, w]
    }
}
