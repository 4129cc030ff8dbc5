using Dsa.Training;
using Dsa.Workflows;
using Spectre.Console;

namespace Dsa.Cli.Commands;

/// <summary>Training progress as a Spectre.Console bar with time remaining (plain lines when output is redirected).</summary>
internal static class ProgressDisplay
{
    public static T Run<T>(string title, Func<IProgress<TrainingEvent>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Per stage (the label): when and at which step its first line came, for the time estimate.
            var started = new Dictionary<string, (System.Diagnostics.Stopwatch Clock, long Step)>();
            var plain = new InlineProgress<TrainingEvent>(e =>
            {
                var label = e.Kind != TrainingEventKind.Stopped && e.Message is not null ? e.Message : title;
                if (e.Kind == TrainingEventKind.Step)
                {
                    if (!started.TryGetValue(label, out var first)) started[label] = first = (System.Diagnostics.Stopwatch.StartNew(), e.Step);
                    long done = e.Step - first.Step;
                    string eta = done > 0 && e.StepsTotal > e.Step
                        ? $", about {TimeSpan.FromSeconds(first.Clock.Elapsed.TotalSeconds / done * (e.StepsTotal - e.Step)):h\\:mm\\:ss} left" : "";
                    Console.WriteLine($"{label}: epoch {e.Epoch} step {e.Step}/{e.StepsTotal} loss {e.Loss:E3} lr {e.LearningRate:G3} {e.SamplesPerSecond:F1} samples/s{eta}");
                }
                else if (e.Kind == TrainingEventKind.Validation) Console.WriteLine($"{label}: epoch {e.Epoch} validation mAP {e.ValidationMap:F2}");
                else if (e.Kind == TrainingEventKind.Stopped) Console.WriteLine($"{title}: {e.Message}");
                else if (e.Kind == TrainingEventKind.Warning) Console.Error.WriteLine($"warning: {e.Message}");
            });
            return work(plain);
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1);
                var progress = new InlineProgress<TrainingEvent>(e =>
                {
                    if (e.StepsTotal > 0) task.MaxValue = e.StepsTotal;
                    task.Value = e.Step;
                    var label = e.Kind != TrainingEventKind.Stopped && e.Message is not null ? e.Message : title;
                    if (e.Kind == TrainingEventKind.Step) task.Description = $"{label} ep {e.Epoch} loss {e.Loss:E2}";
                    if (e.Kind == TrainingEventKind.Validation) task.Description = $"{label} ep {e.Epoch} val mAP {e.ValidationMap:F1}";
                    if (e.Kind == TrainingEventKind.Warning) AnsiConsole.MarkupLine($"[yellow]warning: {Markup.Escape(e.Message ?? "")}[/]");
                });
                result = work(progress);
                task.Value = task.MaxValue;
            });
        return result;
    }
}
