using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using Dsa.Tests.Training;
using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Tests.Workflows;

/// <summary>
/// The ablation grid as plan, cells and collection (issue 14): cells run as separate processes the way a Slurm array or
/// a Kubernetes Indexed Job runs them, resume after SIGTERM, refuse a second job on the same cell, and collect to what
/// one process computes.
/// </summary>
[Collection(nameof(Evaluation.ConsoleCollection))]
public class AblationGridTests(TinySyntheticSet set) : IClassFixture<TinySyntheticSet>
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int Sigterm = 15;

    private static readonly TimeSpan CellLimit = TimeSpan.FromMinutes(4);

    private AblationPlan PlanIn(string dir, string rows, int[] seeds, TrainConfig? train = null, bool force = false) =>
        AblationGrid.Plan(new AblationGridSpec(Ablations.Parse(rows), seeds, TinySyntheticSet.Model, train ?? TinySyntheticSet.Train with { ValidateEvery = 0 }, set.Data, dir)
        {
            Options = new AblationPlanOptions { Threads = 1, Force = force, Command = "test" },
        });

    private static (int Exit, string Out, string Error) Finish(Process process) => DsaProcess.Finish(process, CellLimit);

    [Fact]
    public void CellsRunAsSeparateJobsCollectToWhatOneProcessComputes()
    {
        using var dir = new TempDir();
        var planDir = Path.Combine(dir.Path, "cluster");
        var plan = PlanIn(planDir, "complete,single-frame", new[] { 1, 2 });
        Assert.Equal(new[] { ("complete", 1), ("complete", 2), ("single-frame", 1), ("single-frame", 2) }, plan.Cells.Select(c => (c.Row, c.Seed)));

        // Two jobs at a time, each told its cell only by the scheduler's variable, as array tasks are.
        for (int first = 0; first < plan.Cells.Count; first += 2)
        {
            var jobs = Enumerable.Range(first, 2).Select(i => DsaProcess.Start(dir.Path,
                new Dictionary<string, string> { [i % 2 == 0 ? CellIndex.SlurmVariable : CellIndex.KubernetesVariable] = i.ToString() },
                "ablate", "cell", "--plan", planDir)).ToList();
            foreach (var job in jobs)
            {
                var (exit, stdout, stderr) = Finish(job);
                Assert.True(exit == 0, $"cell job exited {exit}: {stdout}\n{stderr}");
            }
        }
        var collected = AblationGrid.Collect(planDir);
        Assert.True(collected.Complete);

        // The same plan in one process (`ablate cell --all`, what a single machine does), in a child process as well:
        // torch's thread count is process-global, and tests running beside this one would move it.
        var oneDir = Path.Combine(dir.Path, "one-process");
        Directory.CreateDirectory(oneDir);
        File.Copy(AblationPlan.PathIn(planDir), AblationPlan.PathIn(oneDir));
        var (oneExit, oneOut, oneError) = Finish(DsaProcess.Start(dir.Path, "ablate", "cell", "--plan", oneDir, "--all"));
        Assert.True(oneExit == 0, oneOut + oneError);
        var here = AblationGrid.Collect(oneDir).Finished;
        Assert.Equal(here.Select(c => (c.Row, c.Seed)), collected.Finished.Select(c => (c.Row, c.Seed)));
        Assert.True(here.Zip(collected.Finished).All(p => Math.Abs(p.First.Map - p.Second.Map) < 1e-6),
            string.Join("; ", here.Zip(collected.Finished).Select(p => $"{p.First.Row}/{p.First.Seed}: here {p.First.Map} jobs {p.Second.Map}")));
        foreach (var (mine, theirs) in here.Zip(collected.Finished))
        {
            Assert.Equal(mine.Map, theirs.Map, 6);
            Assert.Equal(mine.Steps, theirs.Steps);
            foreach (var joint in mine.PerJoint!.Keys) Assert.Equal(mine.PerJoint[joint], theirs.PerJoint![joint], 6);
        }

        // `collect` writes the per-cell table a README or notebook reads.
        var results = Path.Combine(dir.Path, "results");
        var (exitCode, error) = DsaCli.Run("ablate", "collect", "--plan", planDir, "--out", results);
        Assert.True(exitCode == 0, error);
        var lines = File.ReadAllLines(Path.Combine(results, "cells.csv"));
        Assert.StartsWith("row,seed,mAP,", lines[0]);
        Assert.Equal(5, lines.Length);
        var firstCell = lines[1].Split(',');
        Assert.Equal(("complete", "1"), (firstCell[0], firstCell[1]));
        Assert.Equal(collected.Finished[0].Map, double.Parse(firstCell[2], System.Globalization.CultureInfo.InvariantCulture), 9);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(results, "ablation.json")));
        Assert.Equal(4, json.RootElement.GetProperty("cells").GetArrayLength());
        Assert.Equal(15, json.RootElement.GetProperty("cells")[0].GetProperty("per_joint").EnumerateObject().Count());
    }

    [Fact]
    public void AnInterruptedCellResumesAndASecondJobOnItIsRefused()
    {
        using var dir = new TempDir();
        var planDir = Path.Combine(dir.Path, "grid");
        // Long enough (60 epochs of 8 steps on the tiny set) that the signal lands mid-training.
        PlanIn(planDir, "complete", new[] { 1 }, TinySyntheticSet.Train with { ValidateEvery = 0, Epochs = 60, LogEvery = 1 });
        var log = Path.Combine(planDir, "complete", "seed1", "log.csv");

        using var job = DsaProcess.Start(dir.Path, "ablate", "cell", "--plan", planDir, "--index", "0");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(log) || File.ReadLines(log).Count(l => l.StartsWith("step,")) < 2)
        {
            if (job.HasExited) Assert.Fail($"the cell ended before it was signalled: {job.StandardError.ReadToEnd()}");
            Assert.True(clock.Elapsed < CellLimit, "the cell logged no steps");
            Thread.Sleep(50);
        }
        var running = AblationGrid.Collect(planDir);
        Assert.True(running.Unfinished.Count == 1, $"finished {running.Finished.Count}, exited {job.HasExited}, log: {string.Join(" | ", File.ReadLines(log).Take(4))}");
        Assert.Equal(AblationCellState.Running, running.Unfinished[0].State);

        // A second job given the same cell must not write the same run folder.
        var (secondExit, _, secondError) = Finish(DsaProcess.Start(dir.Path, "ablate", "cell", "--plan", planDir, "--index", "0"));
        Assert.NotEqual(0, secondExit);
        Assert.Contains("already being run", secondError);
        Assert.Contains(AblationGrid.LockPath(planDir, 0), secondError);

        Assert.Equal(0, kill(job.Id, Sigterm));
        var (exit, _, _) = Finish(job);
        Assert.Equal(130, exit);
        var partial = AblationGrid.Collect(planDir).Unfinished.Single();
        Assert.Equal(AblationCellState.Partial, partial.State);
        long stoppedAt = Checkpoint.ReadState(Path.Combine(planDir, "complete", "seed1", "checkpoints", "last.ckpt")).GlobalStep;
        Assert.True(stoppedAt >= 1, $"stopped at step {stoppedAt}");
        Assert.False(File.Exists(AblationGrid.LockPath(planDir, 0)), "the interrupted job left its lock behind");

        // The requeued job continues from the checkpoint and finishes the cell.
        var (again, stdout, stderr) = Finish(DsaProcess.Start(dir.Path, "ablate", "cell", "--plan", planDir, "--index", "0"));
        Assert.True(again == 0, stderr);
        Assert.Contains($"resuming from its checkpoint at step {stoppedAt} of", stdout);
        var cell = Assert.Single(AblationGrid.Collect(planDir).Finished);
        // Every step logged once (LogEvery = 1): none trained twice, none skipped, all 60 epochs done.
        var logged = File.ReadLines(log).Where(l => l.StartsWith("step,")).Select(l => l.Split(',')).ToList();
        var steps = logged.Select(f => long.Parse(f[2])).ToList();
        Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => (long)i), steps);
        Assert.Equal(60 * logged.Count(f => f[1] == "0"), cell.Steps);
        Assert.Equal(steps[^1], cell.Steps);
    }

    [Fact]
    public void TheCellIndexComesFromTheArgumentThenSlurmThenKubernetes()
    {
        var env = new Dictionary<string, string?> { [CellIndex.SlurmVariable] = "3", [CellIndex.KubernetesVariable] = "5" };
        Assert.Equal(7, CellIndex.Resolve(7, n => env.GetValueOrDefault(n)));
        Assert.Equal(3, CellIndex.Resolve(null, n => env.GetValueOrDefault(n)));
        env[CellIndex.SlurmVariable] = null;
        Assert.Equal(5, CellIndex.Resolve(null, n => env.GetValueOrDefault(n)));
        env[CellIndex.KubernetesVariable] = "-1";
        Assert.Contains("JOB_COMPLETION_INDEX='-1'", Assert.Throws<ArgumentException>(() => CellIndex.Resolve(null, n => env.GetValueOrDefault(n))).Message);
        Assert.Contains("SLURM_ARRAY_TASK_ID", Assert.Throws<ArgumentException>(() => CellIndex.Resolve(null, _ => null)).Message);
    }

    [Fact]
    public void ThePlanIsReusedRefusedWhenDifferentAndReplacedOnlyWhenForced()
    {
        using var dir = new TempDir();
        var first = PlanIn(dir.Path, "complete,no-alignment", new[] { 1, 2 });
        var marker = Path.Combine(dir.Path, "complete", "seed1", "results", "val_ap.json");
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        File.WriteAllText(marker, "{}");

        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(PlanIn(dir.Path, "complete,no-alignment", new[] { 1, 2 })));
        Assert.True(File.Exists(marker)); // the same grid again keeps its cells
        var different = Assert.Throws<IOException>(() => PlanIn(dir.Path, "complete,no-alignment", new[] { 1, 2, 3 }));
        Assert.Contains(AblationPlan.PathIn(dir.Path), different.Message);
        Assert.True(File.Exists(marker));

        var replaced = PlanIn(dir.Path, "complete", new[] { 4 }, force: true);
        Assert.False(File.Exists(marker));
        Assert.Equal(("complete", 4), (replaced.Cells.Single().Row, replaced.Cells.Single().Seed));
        Assert.Contains("cell index 1", Assert.Throws<ArgumentOutOfRangeException>(() => AblationPlan.Read(dir.Path).Cell(1)).Message);
    }

    [Fact]
    public void CollectNamesFailedPartialAndPendingCellsAndABrokenPlanNamesItsField()
    {
        using var dir = new TempDir();
        PlanIn(dir.Path, "complete,single-frame", new[] { 1 });
        Directory.CreateDirectory(Path.Combine(dir.Path, AblationGrid.ErrorsFolder));
        File.WriteAllText(AblationGrid.ErrorPath(dir.Path, 0), "InvalidDataException: frame 3 missing\nmore");
        var states = AblationGrid.Collect(dir.Path).Unfinished;
        Assert.Equal(new[] { AblationCellState.Failed, AblationCellState.Pending }, states.Select(s => s.State));
        Assert.Equal("InvalidDataException: frame 3 missing", states[0].Detail);

        var (exit, _) = DsaCli.Run("ablate", "collect", "--plan", dir.Path);
        Assert.Equal(3, exit); // unfinished cells: not a summary anyone should publish

        var path = AblationPlan.PathIn(dir.Path);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"run_dir\": \"single-frame/seed1\"", "\"run_dir\": \"../elsewhere\""));
        var broken = Assert.Throws<InvalidDataException>(() => AblationPlan.Read(dir.Path));
        Assert.Contains(path, broken.Message);
        Assert.Contains("run_dir", broken.Message);
    }

    [Fact]
    public void AStaleLockOfADeadProcessIsTakenOverButAnotherHostsIsNot()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "locks", "cell-0.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A pid that has exited on this host (the lock of a job killed with -9).
        int deadPid;
        using (var finished = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!) { finished.WaitForExit(); deadPid = finished.Id; }
        File.WriteAllText(path, JsonSerializer.Serialize(new AblationCellLock.Owner(Environment.MachineName, deadPid, DateTimeOffset.UtcNow, 0)));
        using (AblationCellLock.Acquire(path, 0, "complete seed 1"))
            Assert.Equal(Environment.ProcessId, AblationCellLock.ReadOwner(path)!.Pid);
        Assert.False(File.Exists(path));

        File.WriteAllText(path, JsonSerializer.Serialize(new AblationCellLock.Owner("another-node", 12345, DateTimeOffset.UtcNow, 0)));
        var busy = Assert.Throws<AblationCellBusyException>(() => AblationCellLock.Acquire(path, 0, "complete seed 1"));
        Assert.Equal(path, busy.LockPath);
        Assert.Contains("another-node", busy.Message);
        Assert.True(File.Exists(path)); // not ours to delete
    }

    [Fact]
    public void TheSlurmScriptRunsACellAndTheKubernetesJobMountsEveryPath()
    {
        using var dir = new TempDir();
        var planDir = Path.Combine(dir.Path, "grid");
        var plan = PlanIn(planDir, "single-frame", new[] { 1, 2, 3 });
        var resources = new AblationJobResources(2, 1, "4G", 0, "01:00:00", "cpu", "registry.example/dsa:1", "dsa-work", DsaProcess.Launcher);

        var script = AblationJobScripts.WriteSlurm(planDir, resources);
        var text = File.ReadAllText(script);
        Assert.Contains("#SBATCH --array=0-2%2", text);
        Assert.Contains("#SBATCH --cpus-per-task=1", text);
        Assert.Contains("#SBATCH --partition=cpu", text);
        Assert.DoesNotContain("--gres", text);
        Assert.Contains("#SBATCH --requeue", text);
        Assert.Contains("#SBATCH --signal=B:TERM@120", text);
        var (syntax, _, syntaxError) = Finish(DsaProcess.StartTool("bash", null, "-n", script));
        Assert.True(syntax == 0, syntaxError);
        // Slurm reads the #SBATCH lines; the body is plain bash: run it as array task 1 would.
        var (exit, stdout, stderr) = Finish(DsaProcess.StartTool("bash", new Dictionary<string, string> { [CellIndex.SlurmVariable] = "1" }, script));
        Assert.True(exit == 0, stdout + stderr);
        var collected = AblationGrid.Collect(planDir);
        Assert.Equal(2, Assert.Single(collected.Finished).Seed);
        Assert.True(Directory.Exists(Path.Combine(planDir, "logs")));

        var yaml = File.ReadAllText(AblationJobScripts.WriteKubernetes(planDir, resources with { Gpus = 1 }));
        Assert.Contains("completionMode: Indexed", yaml);
        Assert.Contains("completions: 3", yaml);
        Assert.Contains("parallelism: 2", yaml);
        Assert.Contains("nvidia.com/gpu: 1", yaml);
        Assert.Contains("memory: 4Gi", yaml);
        Assert.Contains("claimName: dsa-work", yaml);
        var mount = AblationJobScripts.CommonFolder(new[] { planDir, plan.Data });
        Assert.Contains($"mountPath: {mount}", yaml);
        Assert.True(planDir.StartsWith(mount) && plan.Data.StartsWith(mount));
        Assert.Equal("/a/b", AblationJobScripts.CommonFolder(new[] { "/a/b/c", "/a/b/d/e", "/a/b" }));
        Assert.Equal("/", AblationJobScripts.CommonFolder(new[] { "/x/1", "/y/2" }));
    }

    [Fact]
    public void RedirectedTrainingProgressCountsStepsOfTheRealTotalAndEstimatesTheTimeLeft()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = Finish(DsaProcess.Start(dir.Path, "train", "--preset", "cpu-small", "--row", "single-frame", "--data", set.Root,
            "--run", Path.Combine(dir.Path, "run"), "--steps", "20", "--epochs", "1000", "--batch-size", "2", "--validate-every", "0", "--threads", "1"));
        Assert.True(exit == 0, stdout + stderr);
        var lines = stdout.Split('\n').Where(l => l.Contains(" step ")).ToList();
        Assert.Contains(lines, l => l.Contains("step 10/20") && System.Text.RegularExpressions.Regex.IsMatch(l, @"about \d+:\d\d:\d\d left$"));
        Assert.DoesNotContain(lines, l => l.Contains("/1000")); // the step budget, not epochs x batches
    }

    [SkippableFact]
    public void TheKubernetesJobIsYamlWithTheFieldsAnIndexedJobNeeds()
    {
        bool hasYaml;
        try { hasYaml = Finish(DsaProcess.StartTool("python3", null, "-c", "import yaml")).Exit == 0; }
        catch (System.ComponentModel.Win32Exception) { hasYaml = false; } // no python3 at all
        Skip.IfNot(hasYaml, "python3 with PyYAML (python3-yaml) is not installed: the manifest is not parsed as YAML");
        using var dir = new TempDir();
        var planDir = Path.Combine(dir.Path, "grid");
        PlanIn(planDir, "complete,single-frame", new[] { 1, 2 });
        var yaml = AblationJobScripts.WriteKubernetes(planDir, new AblationJobResources(3, 4, "16G", 0, "1:00:00", null, "registry.example/dsa:1", "dsa-work", "dsa"));
        // PyYAML reads the manifest; the fields are printed back as JSON.
        const string Script = "import json,sys,yaml; d=yaml.safe_load(open(sys.argv[1])); s=d['spec']; p=s['template']['spec']; c=p['containers'][0]; " +
            "print(json.dumps({'kind':d['kind'],'api':d['apiVersion'],'mode':s['completionMode'],'completions':s['completions'],'parallelism':s['parallelism']," +
            "'restart':p['restartPolicy'],'command':c['command'],'cpu':c['resources']['limits']['cpu'],'memory':c['resources']['limits']['memory']," +
            "'mount':c['volumeMounts'][0]['mountPath'],'claim':p['volumes'][0]['persistentVolumeClaim']['claimName']}))";
        var (exit, stdout, stderr) = Finish(DsaProcess.StartTool("python3", null, "-c", Script, yaml));
        Assert.True(exit == 0, stderr);
        var job = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(("Job", "batch/v1", "Indexed"), (job.GetProperty("kind").GetString(), job.GetProperty("api").GetString(), job.GetProperty("mode").GetString()));
        Assert.Equal((4, 3), (job.GetProperty("completions").GetInt32(), job.GetProperty("parallelism").GetInt32()));
        Assert.Equal("Never", job.GetProperty("restart").GetString());
        Assert.Equal(new[] { "dsa", "ablate", "cell", "--plan", Path.GetFullPath(planDir) }, job.GetProperty("command").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(("4", "16Gi", "dsa-work"), (job.GetProperty("cpu").GetString(), job.GetProperty("memory").GetString(), job.GetProperty("claim").GetString()));
        Assert.StartsWith(job.GetProperty("mount").GetString()!, Path.GetFullPath(planDir));
    }
}
