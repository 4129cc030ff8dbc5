using Dsa.Nn;
using Dsa.Training;
using Dsa.Workflows;
using Microsoft.Data.Analysis;

namespace Dsa.Interactive;

/// <summary>Tables the training notebook shows: the last logged steps, and the paper's settings beside cpu-small's with who says so.</summary>
public static class TrainingTables
{
    /// <summary>One row per step event: step, epoch, learning rate, loss, samples per second.</summary>
    public static DataFrame Steps(IReadOnlyList<TrainingEvent> events) => new(
        new Int64DataFrameColumn("step", events.Select(e => e.Step)),
        new Int32DataFrameColumn("epoch", events.Select(e => e.Epoch)),
        new StringDataFrameColumn("lr", events.Select(e => e.LearningRate.ToString("0.0e+0"))),
        new StringDataFrameColumn("loss", events.Select(e => e.Loss?.ToString("0.000000") ?? "")),
        new StringDataFrameColumn("samples/s", events.Select(e => e.SamplesPerSecond?.ToString("0.0") ?? "")));

    /// <summary>The training and model settings of the paper preset beside cpu-small's, and where each value comes from.</summary>
    public static DataFrame PaperVsCpuSmall()
    {
        TrainConfig p = TrainPresets.Paper, c = TrainPresets.CpuSmall;
        ModelConfig pm = ModelPresets.Paper, cm = ModelPresets.CpuSmall;
        var settings = new (string Setting, string Paper, string CpuSmall, string Source)[]
        {
            ("optimiser", "Adam", "Adam", "paper"),
            ("learning rate", $"{p.LearningRate:0.0e+0}", $"{c.LearningRate:0.0e+0}", "paper"),
            ("decay every (epochs)", $"{p.DecayEvery}", $"{c.DecayEvery}", "paper: 10; cpu-small: after 2/3 of the epochs (our choice)"),
            ("decay factor", $"{p.DecayGamma}", $"{c.DecayGamma}", "paper: 'decays by 10%' (ambiguous); 0.1 is our reading"),
            ("batch size", $"{p.BatchSize}", $"{c.BatchSize}", "paper: 48; cpu-small: 16 (our choice, more steps per minute)"),
            ("epochs", $"{p.Epochs}", $"{c.Epochs}", "paper: 20; cpu-small: 12 (our choice)"),
            ("gradient clipping", p.GradientClipNorm?.ToString() ?? "none", c.GradientClipNorm?.ToString() ?? "none", "paper: not mentioned"),
            ("input (H x W)", $"{pm.InputHeight}x{pm.InputWidth}", $"{cm.InputHeight}x{cm.InputWidth}", "paper: 384x288"),
            ("backbone widths", string.Join("/", pm.Backbone.Stage4.NumChannels), string.Join("/", cm.Backbone.Stage4.NumChannels), "paper: HRNet-W48; cpu-small: narrow (our choice)"),
            ("supporting offsets", string.Join(", ", pm.SupportOffsets), string.Join(", ", cm.SupportOffsets), "paper: '(-1, -1, 1, 2)', read as -2, -1, +1, +2"),
            ("backbone frozen", $"{pm.FreezeBackbone}", $"{cm.FreezeBackbone}", "paper: not stated (DCPose freezes); a switch"),
        };
        return new DataFrame(
            new StringDataFrameColumn("setting", settings.Select(s => s.Setting)),
            new StringDataFrameColumn("paper", settings.Select(s => s.Paper)),
            new StringDataFrameColumn("cpu-small", settings.Select(s => s.CpuSmall)),
            new StringDataFrameColumn("who says so", settings.Select(s => s.Source)));
    }
}
