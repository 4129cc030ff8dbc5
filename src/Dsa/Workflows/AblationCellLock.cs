using System.Diagnostics;
using System.Text.Json;

namespace Dsa.Workflows;

/// <summary>
/// The lock that keeps two jobs off one cell's run folder (PLAN/locks/cell-I.lock, created with CreateNew, which is atomic
/// on local and NFS v3+ file systems). It names its owner (host, pid, start time). A lock left by a dead process on this
/// host is taken over; one from another host is not (we cannot see its processes): the message says which file to delete.
/// </summary>
public sealed class AblationCellLock : IDisposable
{
    public sealed record Owner(string Host, int Pid, DateTimeOffset StartedUtc, int Cell);

    private readonly string path;
    private readonly Owner owner;
    private bool released;

    private AblationCellLock(string path, Owner owner) { this.path = path; this.owner = owner; }

    public static AblationCellLock Acquire(string path, int cell, string what)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var me = new Owner(Environment.MachineName, Environment.ProcessId, DateTimeOffset.UtcNow, cell);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                    JsonSerializer.Serialize(stream, me);
                return new AblationCellLock(path, me);
            }
            catch (IOException) when (File.Exists(path))
            {
                var holder = ReadOwner(path);
                if (attempt == 0 && holder is not null && IsDeadHere(holder))
                {
                    File.Delete(path); // its owner died without releasing it (kill -9, node reboot): take over.
                    continue;
                }
                throw new AblationCellBusyException(path, $"Cell {cell} ({what}) is already being run " +
                    (holder is null ? "(its lock file is unreadable)" : $"by process {holder.Pid} on host {holder.Host}, since {holder.StartedUtc:u}") +
                    $"; two jobs must not write one run folder. If no such job runs any more, delete {path} and start the cell again.");
            }
        }
    }

    /// <summary>Who holds the lock at <paramref name="path"/>; null when there is none or it cannot be read.</summary>
    public static Owner? ReadOwner(string path)
    {
        try { return JsonSerializer.Deserialize<Owner>(File.ReadAllText(path)); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>True when the owner ran on this host and its process is gone.</summary>
    public static bool IsDeadHere(Owner owner)
    {
        if (owner.Host != Environment.MachineName) return false;
        if (owner.Pid == Environment.ProcessId) return false;
        try
        {
            using var process = Process.GetProcessById(owner.Pid);
            return process.HasExited;
        }
        catch (ArgumentException) { return true; }
    }

    public void Dispose()
    {
        if (released) return;
        released = true;
        // Only our own lock is removed (someone may have deleted a stale-looking lock and taken it).
        if (ReadOwner(path) is { } now && now == owner) File.Delete(path);
    }
}
