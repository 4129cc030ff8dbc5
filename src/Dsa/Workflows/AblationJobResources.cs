namespace Dsa.Workflows;

/// <summary>What each cell's job asks the cluster for (see <see cref="AblationJobScripts"/>).</summary>
/// <param name="Concurrency">Cells running at once: Slurm's array throttle %N, Kubernetes' parallelism.</param>
/// <param name="Memory">Per cell, Slurm style ("32G"); written as "32Gi" for Kubernetes.</param>
/// <param name="Time">Slurm wall-time limit (HH:MM:SS or D-HH:MM:SS).</param>
/// <param name="Launcher">How a job starts the command line ("dsa", or e.g. "dotnet /opt/dsa/Dsa.Cli.dll").</param>
public sealed record AblationJobResources(int Concurrency, int Cpus, string Memory, int Gpus, string Time, string? Partition,
    string Image, string VolumeClaim, string Launcher)
{
    public void Validate()
    {
        if (Concurrency < 1) throw new ArgumentException($"concurrency must be >= 1; got {Concurrency}.");
        if (Cpus < 1) throw new ArgumentException($"cpus must be >= 1; got {Cpus}.");
        if (Gpus < 0) throw new ArgumentException($"gpus must be >= 0; got {Gpus}.");
        if (!System.Text.RegularExpressions.Regex.IsMatch(Memory, "^[0-9]+[KMGT]$")) throw new ArgumentException($"memory must look like 32G (a number and K, M, G or T); got '{Memory}'.");
        if (string.IsNullOrWhiteSpace(Launcher)) throw new ArgumentException("the launcher (how a job starts dsa) is empty.");
    }
}
