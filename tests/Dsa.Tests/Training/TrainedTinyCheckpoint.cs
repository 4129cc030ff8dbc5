using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Tests.Training;

/// <summary>The tiny synthetic set plus one short training run on it: a real checkpoint for the eval/predict tests.</summary>
public sealed class TrainedTinyCheckpoint : IDisposable
{
    public TinySyntheticSet Set { get; } = new();
    private readonly string runRoot = Directory.CreateTempSubdirectory("dsa-tiny-run-").FullName;
    public ExperimentResult Run { get; }

    public TrainedTinyCheckpoint() =>
        Run = Experiment.Run(new ExperimentSpec(Path.Combine(runRoot, "run"), TinySyntheticSet.Model, TinySyntheticSet.Train with { ValidateEvery = 0 }, Set.Data));

    public string Checkpoint => Run.Run.LastCheckpoint;

    /// <summary>The validation video's annotation file and frame folder.</summary>
    public (string Annotation, string Frames) ValVideo()
    {
        string annotation = Directory.GetFiles(Set.Data.AnnotationsDir("val"), "*.json").Single();
        return (annotation, Path.Combine(Set.Root, "images", "val", Path.GetFileNameWithoutExtension(annotation)));
    }

    public void Dispose()
    {
        Set.Dispose();
        try { Directory.Delete(runRoot, recursive: true); } catch (IOException) { }
    }
}
