using System.Diagnostics;

namespace Dsa.Benchmarks;

/// <summary>
/// The clock of one profiled training step (`dsa bench train --profile`): <see cref="Begin"/>, one <see cref="Mark"/>
/// after each phase (zero_grad, forward, loss, backward, optimizer step, item), <see cref="End"/> after the dispose
/// scope; with the <see cref="ForwardSplitClock"/>'s moments inside the forward and the GC's counters around the step.
/// Every step is recorded, warm-up included: <see cref="Summarise"/> takes the last ones, which are the timed ones under
/// both of <see cref="StepTimer"/>'s protocols.
/// </summary>
internal sealed class TrainStepRecorder(ForwardSplitClock clock)
{
    /// <summary>Marks per step: start, the six phases' ends, the end of the step.</summary>
    private const int MarkCount = 8;

    private readonly List<Sample> samples = [];
    private long[] marks = new long[MarkCount];
    private int next;
    private int gen0, gen1, gen2;
    private TimeSpan pause;

    public int Recorded => samples.Count;

    public void Begin()
    {
        clock.Reset();
        marks = new long[MarkCount];
        (gen0, gen1, gen2, pause) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        next = 0;
        marks[next++] = Stopwatch.GetTimestamp();
    }

    public void Mark()
    {
        if (next >= MarkCount - 1) throw new InvalidOperationException($"a step has {MarkCount - 2} phases; Mark was called once more.");
        marks[next++] = Stopwatch.GetTimestamp();
    }

    public void End()
    {
        if (next != MarkCount - 1) throw new InvalidOperationException($"a step has {MarkCount - 2} phases; {next - 1} were marked.");
        marks[next] = Stopwatch.GetTimestamp();
        samples.Add(new Sample(marks, clock.AlignmentStart, clock.HeadStart, clock.HeadEnd,
            GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2, GC.GetTotalPauseDuration() - pause));
    }

    /// <summary>Medians of each phase over the last <paramref name="timedSteps"/> steps, and their GC counts summed.</summary>
    public TrainStepProfile Summarise(int timedSteps)
    {
        if (timedSteps < 1 || timedSteps > samples.Count)
            throw new ArgumentOutOfRangeException(nameof(timedSteps), timedSteps, $"{samples.Count} steps were recorded.");
        var timed = samples.Skip(samples.Count - timedSteps).ToList();
        double Phase(int i) => StepTimer.Median(timed.Select(s => Seconds(s.Marks[i], s.Marks[i + 1])));
        // Forward split: the backbone runs from the forward's start to the alignment's start, or to the head's start
        // where no module of an aligner was called (the single-frame baseline).
        double? Part(Func<Sample, (long From, long To)?> span)
        {
            var spans = timed.Select(span).ToList();
            return spans.All(x => x is not null) ? StepTimer.Median(spans.Select(x => Seconds(x!.Value.From, x.Value.To))) : null;
        }
        static bool Has(long t) => t != 0;
        var backbone = Part(s => Has(s.HeadStart) ? (s.Marks[1], Has(s.AlignmentStart) ? s.AlignmentStart : s.HeadStart) : null);
        var alignment = Part(s => Has(s.AlignmentStart) && Has(s.HeadStart) ? (s.AlignmentStart, s.HeadStart) : null);
        var head = Part(s => Has(s.HeadStart) && Has(s.HeadEnd) ? (s.HeadStart, s.HeadEnd) : null);
        return new TrainStepProfile(Phase(0), Phase(1), Phase(2), Phase(3), Phase(4), Phase(5),
            StepTimer.Median(timed.Select(s => Seconds(s.Marks[0], s.Marks[MarkCount - 1]))),
            backbone, clock.HasAligner ? alignment : null, head, TrainStepProfile.HooksInForward,
            timed.Sum(s => s.Gen0), timed.Sum(s => s.Gen1), timed.Sum(s => s.Gen2), timed.Sum(s => s.Pause.TotalSeconds));
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    private sealed record Sample(long[] Marks, long AlignmentStart, long HeadStart, long HeadEnd, int Gen0, int Gen1, int Gen2, TimeSpan Pause);
}
