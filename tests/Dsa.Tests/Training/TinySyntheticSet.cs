using Dsa.Data.Synthetic;
using Dsa.Nn;
using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Tests.Training;

/// <summary>
/// A tiny synthetic PoseTrack set (2 train + 1 val videos of 8 frames, two people) written once per
/// test run, plus a model small enough that a few steps take seconds. Shared by the experiment tests.
/// </summary>
public sealed class TinySyntheticSet : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("dsa-tiny-set-").FullName;

    public DatasetFolder Data => new(Root);

    public static ModelConfig Model { get; } = ModelPresets.CpuSmall with { SupportOffsets = new[] { -1, 1 }, AlignmentScales = 2 };

    public static TrainConfig Train { get; } = new() { Epochs = 1, BatchSize = 4, LogEvery = 1, ValidateEvery = 1, Seed = 3 };

    public TinySyntheticSet()
    {
        new SyntheticVideoGenerator(new SyntheticVideoConfig { TrainVideos = 2, ValVideos = 1, Frames = 8, People = 2, Width = 224, Height = 168, Seed = 11 })
            .Write(Root);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
