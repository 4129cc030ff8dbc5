using System.Text.Json;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Evaluation;

/// <summary>`dsa eval` run in-process through the CLI's entry point.</summary>
[Collection(nameof(ConsoleCollection))]
public class EvalCommandTests
{
    private static (int Exit, string Error) RunDsa(params string[] args) => DsaCli.Run(args);

    public static IEnumerable<object[]> Cases() => PosevalCases.Names();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Json_output_has_the_schema_and_poseval_values(string caseName)
    {
        string folder = PosevalCases.Folder(caseName);
        var expected = PosevalCases.Expected(folder);
        double tol = expected.GetProperty("tolerance_abs").GetDouble();
        using var dir = new TempDir();
        string jsonPath = Path.Combine(dir.Path, "out.json");
        var (exit, error) = RunDsa("eval", "--gt", Path.Combine(folder, "gt"), "--pred", Path.Combine(folder, "pred"), "--json", jsonPath);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        var root = doc.RootElement;
        Assert.Equal(PosevalCases.Joints.Select(j => j.Name), root.GetProperty("per_joint").EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle" }, root.GetProperty("columns").EnumerateObject().Select(p => p.Name));
        foreach (var joint in PosevalCases.Joints)
        {
            var actual = root.GetProperty("per_joint").GetProperty(joint.Name);
            var want = expected.GetProperty("per_joint").GetProperty(joint.Name);
            Assert.Equal(want.ValueKind == JsonValueKind.Null, actual.ValueKind == JsonValueKind.Null);
            if (want.ValueKind != JsonValueKind.Null) PosevalCases.Near(want, actual.GetDouble(), tol, joint.Name);
        }
        foreach (var column in expected.GetProperty("columns").EnumerateObject())
        {
            var actual = root.GetProperty("columns").GetProperty(column.Name);
            Assert.Equal(column.Value.ValueKind == JsonValueKind.Null, actual.ValueKind == JsonValueKind.Null);
            if (actual.ValueKind != JsonValueKind.Null) PosevalCases.Near(column.Value, actual.GetDouble(), tol, column.Name);
        }
        PosevalCases.Near(expected.GetProperty("total"), root.GetProperty("total").GetDouble(), tol, "total");
    }

    [SkippableFact]
    public void Bench_eval_writes_its_timings_and_the_real_total()
    {
        string folder = PosevalCases.Folder("posetrack18_mmpose_seed0");
        var expected = PosevalCases.Expected(folder);
        using var dir = new TempDir();
        string jsonPath = Path.Combine(dir.Path, "bench.json");
        var (exit, error) = RunDsa("bench", "eval", "--gt", Path.Combine(folder, "gt"), "--pred", Path.Combine(folder, "pred"), "--repeats", "2", "--json", jsonPath);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        PosevalCases.Near(expected.GetProperty("total"), doc.RootElement.GetProperty("total").GetDouble(), 1e-6, "bench total");
        Assert.Equal(3, doc.RootElement.GetProperty("videos").GetInt32());
        Assert.True(doc.RootElement.GetProperty("evaluateMedianSeconds").GetDouble() > 0);
        // The machine's facts and the command line go with the numbers; pure evaluation never started libtorch.
        var machine = doc.RootElement.GetProperty("machine");
        Assert.Equal(Environment.ProcessorCount, machine.GetProperty("logicalCores").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("cpu").GetString()));
        Assert.Equal(JsonValueKind.Null, machine.GetProperty("torch").ValueKind);
        Assert.StartsWith("dsa bench eval --gt", doc.RootElement.GetProperty("command").GetString());
    }

    [Fact]
    public void Bad_folder_gives_a_nonzero_exit_naming_it()
    {
        using var dir = new TempDir();
        string missing = Path.Combine(dir.Path, "no_such_gt");
        var (exit, error) = RunDsa("eval", "--gt", missing, "--pred", dir.Path);
        Assert.NotEqual(0, exit);
        Assert.Contains("no_such_gt", error);
    }

    [Fact]
    public void Missing_prediction_file_or_bad_json_gives_a_nonzero_exit_naming_the_file()
    {
        using var dir = new TempDir();
        string gt = Directory.CreateDirectory(Path.Combine(dir.Path, "gt")).FullName;
        string pred = Directory.CreateDirectory(Path.Combine(dir.Path, "pred")).FullName;
        File.WriteAllText(Path.Combine(gt, "clip_a.json"), """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[]}]}""");
        var (exit, error) = RunDsa("eval", "--gt", gt, "--pred", pred);
        Assert.NotEqual(0, exit);
        Assert.Contains("clip_a.json", error);

        File.WriteAllText(Path.Combine(pred, "clip_a.json"), """{"annolist":[{"image":[{"name":"v/1.jpg"}],"annorect":[{"annopoints":[{"point":[{"id":[0],"x":[1]}]}]}]}]}""");
        (exit, error) = RunDsa("eval", "--gt", gt, "--pred", pred);
        Assert.NotEqual(0, exit);
        Assert.Contains("clip_a.json", error);
        Assert.Contains("'y'", error);
    }
}

/// <summary>Tests that redirect Console.Error run one at a time.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;
