using System.Globalization;

namespace Dsa.Workflows;

/// <summary>Which cell a job runs: given explicitly, else the Slurm array task id, else the Kubernetes Indexed Job's completion index.</summary>
public static class CellIndex
{
    public const string SlurmVariable = "SLURM_ARRAY_TASK_ID";
    public const string KubernetesVariable = "JOB_COMPLETION_INDEX";

    public static int Resolve(int? given, Func<string, string?> environment)
    {
        if (given is { } g) return g;
        foreach (var name in new[] { SlurmVariable, KubernetesVariable })
            if (environment(name) is { Length: > 0 } value)
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i
                    : throw new ArgumentException($"Environment variable {name}='{value}' is not a cell index (a non-negative integer).");
        throw new ArgumentException($"No cell index: give one, or run inside a Slurm job array ({SlurmVariable}) or a Kubernetes Indexed Job ({KubernetesVariable}).");
    }
}
