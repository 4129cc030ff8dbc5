using System.Text.Json;
using Dsa.Tests.Evaluation;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Cli;

[Collection(nameof(ConsoleCollection))]
public class BenchPredictCommandTests
{
    [Fact]
    public void BenchPredictTimesEveryPersonOfTheVideoAndWritesTheMachinesFacts()
    {
        using var dir = new TempDir();
        string json = Path.Combine(dir.Path, "results", "predict.json");
        var (exit, error) = DsaCli.Run("bench", "predict", "--rows", "single-frame", "--repeats", "1", "--batch-size", "8", "--threads", "1", "--json", json);
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        var r = doc.RootElement.GetProperty("results")[0];
        Assert.Equal("single-frame", r.GetProperty("case").GetString());
        Assert.True(r.GetProperty("samples").GetInt32() >= r.GetProperty("keyFrames").GetInt32());
        Assert.Equal(30, r.GetProperty("keyFrames").GetInt32()); // the synthetic video's 30 frames, each with people
        Assert.Equal(1, r.GetProperty("torchThreads").GetInt32());
        Assert.Equal(r.GetProperty("keyFrames").GetInt32() / r.GetProperty("medianSeconds").GetDouble(), r.GetProperty("keyFramesPerSecond").GetDouble(), 6);
        Assert.Contains("oneDNN convolutions", doc.RootElement.GetProperty("machine").GetProperty("torch").GetString());
        Assert.StartsWith("dsa bench predict", doc.RootElement.GetProperty("command").GetString());
    }
}
