using System.Text;
using Dsa.IO;

namespace Dsa.Workflows;

/// <summary>
/// Hands a planned grid to the cluster's own scheduler, one cell per job: a Slurm job array (each task reads
/// SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (each pod reads JOB_COMPLETION_INDEX). Every job runs
/// `ablate cell --plan PLAN`; cells are resumable and locked, so requeues and retries are safe.
/// </summary>
public static class AblationJobScripts
{
    public const string SlurmFile = "ablate.sbatch";
    public const string KubernetesFile = "ablate-job.yaml";

    public static string Slurm(string planDir, AblationJobResources r)
    {
        r.Validate();
        var plan = AblationPlan.Read(planDir);
        var dir = Path.GetFullPath(planDir);
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine($"# {plan.Cells.Count} cells of the ablation grid in {dir}: one array task per cell.");
        s.AppendLine("#SBATCH --job-name=dsa-ablate");
        s.AppendLine($"#SBATCH --array=0-{plan.Cells.Count - 1}%{r.Concurrency}");
        s.AppendLine($"#SBATCH --cpus-per-task={r.Cpus}");
        s.AppendLine($"#SBATCH --mem={r.Memory}");
        s.AppendLine($"#SBATCH --time={r.Time}");
        if (r.Partition is { Length: > 0 } p) s.AppendLine($"#SBATCH --partition={p}");
        if (r.Gpus > 0) s.AppendLine($"#SBATCH --gres=gpu:{r.Gpus}");
        s.AppendLine($"#SBATCH --output={dir}/logs/cell-%a.out");
        // A pre-empted or timed-out task is requeued; SIGTERM two minutes before the limit makes the cell checkpoint
        // (the trainer saves and exits 130 on SIGTERM) and the requeued task resumes from there.
        s.AppendLine("#SBATCH --requeue");
        s.AppendLine("#SBATCH --signal=B:TERM@120");
        s.AppendLine("set -euo pipefail");
        s.AppendLine($"mkdir -p {Quote(dir + "/logs")}");
        s.AppendLine($"export OMP_NUM_THREADS={r.Cpus}");
        s.AppendLine($"exec {r.Launcher} ablate cell --plan {Quote(dir)}");
        return s.ToString();
    }

    public static string Kubernetes(string planDir, AblationJobResources r)
    {
        r.Validate();
        var plan = AblationPlan.Read(planDir);
        var dir = Path.GetFullPath(planDir);
        // The plan holds absolute paths (plan, data, warm start): the shared volume is mounted at their common folder so
        // that every path means the same inside the pod.
        var mount = CommonFolder(new[] { dir, plan.Data, plan.WarmStartFrom, plan.InitBackboneFrom }.OfType<string>().ToList());
        string memory = r.Memory + "i";
        var command = r.Launcher.Split(' ', StringSplitOptions.RemoveEmptyEntries).Concat(new[] { "ablate", "cell", "--plan", dir });
        var gpu = r.Gpus > 0 ? $", nvidia.com/gpu: {r.Gpus}" : "";
        return $$"""
            # {{plan.Cells.Count}} cells of the ablation grid in {{dir}}: one pod per cell (JOB_COMPLETION_INDEX).
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: dsa-ablate
            spec:
              completionMode: Indexed
              completions: {{plan.Cells.Count}}
              parallelism: {{r.Concurrency}}
              # A failed pod is retried for its own index only (Kubernetes 1.29+); a retry resumes the cell's checkpoint.
              backoffLimitPerIndex: 2
              template:
                spec:
                  restartPolicy: Never
                  # SIGTERM (eviction, pre-emption) makes the cell checkpoint before it exits.
                  terminationGracePeriodSeconds: 120
                  containers:
                  - name: cell
                    image: {{r.Image}}
                    command: [{{string.Join(", ", command.Select(c => "\"" + c.Replace("\"", "\\\"") + "\""))}}]
                    env:
                    - name: OMP_NUM_THREADS
                      value: "{{r.Cpus}}"
                    resources:
                      requests: {cpu: "{{r.Cpus}}", memory: {{memory}}{{gpu}}}
                      limits: {cpu: "{{r.Cpus}}", memory: {{memory}}{{gpu}}}
                    volumeMounts:
                    - name: shared
                      mountPath: {{mount}}
                  volumes:
                  - name: shared
                    persistentVolumeClaim:
                      claimName: {{r.VolumeClaim}}

            """;
    }

    public static string WriteSlurm(string planDir, AblationJobResources r) => Write(planDir, SlurmFile, Slurm(planDir, r));
    public static string WriteKubernetes(string planDir, AblationJobResources r) => Write(planDir, KubernetesFile, Kubernetes(planDir, r));

    private static string Write(string planDir, string name, string text)
    {
        var path = Path.Combine(Path.GetFullPath(planDir), name);
        AtomicFile.WriteAllText(path, text);
        return path;
    }

    /// <summary>The deepest folder that holds every path (a file counts as its folder; at least the file system root).</summary>
    public static string CommonFolder(IReadOnlyList<string> paths)
    {
        var parts = paths.Select(p => Path.GetFullPath(File.Exists(p) ? Path.GetDirectoryName(Path.GetFullPath(p))! : p).TrimEnd('/').Split('/')).ToList();
        int n = 0;
        while (parts.All(p => p.Length > n) && parts.All(p => p[n] == parts[0][n])) n++;
        var common = string.Join('/', parts[0].Take(n));
        return common.Length == 0 ? "/" : common;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
