using System.Diagnostics;
using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Benchmarks;

/// <summary>
/// Splits a <see cref="DsaNet"/> forward into backbone, alignment and head while it runs, by forward hooks on the
/// model's own modules: the moment the first module inside the aligner is called (the alignment starts), and the
/// moments the head's call starts and ends. Hooks only read the clock (and, once, the head's input and output layout),
/// so the forward timed is the model's own code path; no forward is written for the benchmark.
/// </summary>
/// <remarks>
/// Why hooks and not the backbone timed alone: a separate backbone forward would add a pass that the step does not
/// have, and leave alignment plus head as a remainder. DsaNet calls its aligner through IFeatureAligner.Align, which
/// fires no hook of its own, but every layer inside it is called through <c>call</c>, which does.
/// </remarks>
internal sealed class ForwardSplitClock : IDisposable
{
    // Each hook's remover (TorchSharp's HookRemover is nested in the module's generic base, one type per module kind).
    private readonly List<Action> hooks = [];

    /// <summary>The model has alignment modules (not the single-frame baseline).</summary>
    public bool HasAligner { get; }

    /// <summary>Stopwatch timestamps of the current forward; 0 until seen.</summary>
    public long AlignmentStart { get; private set; }
    public long HeadStart { get; private set; }
    public long HeadEnd { get; private set; }

    /// <summary>The head's input and output memory format, from the first forward seen (<see cref="TensorMemoryFormat"/>).</summary>
    public string? HeadInputFormat { get; private set; }
    public string? OutputFormat { get; private set; }

    public ForwardSplitClock(DsaNet model)
    {
        foreach (var aligner in model.Aligners)
        {
            HasAligner = true;
            foreach (var module in aligner.modules())
            {
                switch (module)
                {
                    case nn.Module<Tensor, Tensor> one: hooks.Add(one.register_forward_pre_hook(MarkAlignment).remove); break;
                    case nn.Module<Tensor, Tensor, Tensor> two: hooks.Add(two.register_forward_pre_hook(MarkAlignment).remove); break;
                }
            }
        }
        hooks.Add(model.Head.register_forward_pre_hook((_, input) =>
        {
            HeadStart = Stopwatch.GetTimestamp();
            HeadInputFormat ??= TensorMemoryFormat.Describe(input);
            return input; // the input unchanged: call() goes on with it
        }).remove);
        hooks.Add(model.Head.register_forward_hook((_, _, output) =>
        {
            HeadEnd = Stopwatch.GetTimestamp();
            OutputFormat ??= TensorMemoryFormat.Describe(output);
            return output;
        }).remove);
    }

    /// <summary>Forgets the previous forward's moments (call before each step).</summary>
    public void Reset() => AlignmentStart = HeadStart = HeadEnd = 0;

    private void MarkAlignment(nn.Module _)
    {
        if (AlignmentStart == 0) AlignmentStart = Stopwatch.GetTimestamp();
    }

    public void Dispose()
    {
        foreach (var remove in hooks) remove();
        hooks.Clear();
    }
}
