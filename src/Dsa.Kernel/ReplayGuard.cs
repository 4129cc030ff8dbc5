namespace Dsa.Kernel;

/// <summary>
/// Refuses a message the kernel has already received. A signature proves who wrote a message, not
/// that it is new: anyone who can see the loopback traffic (or a front end's log) can send a signed
/// execute_request again, and the kernel would run the code twice. The messaging protocol leaves
/// this to the kernel; ipykernel keeps the signatures it has seen (Session.digest_history, 2^16 of
/// them) and rejects repeats, and so does this: the most recent <see cref="Capacity"/> signatures,
/// or, on a connection without a key, the (session, msg_id) pairs.
/// </summary>
public sealed class ReplayGuard
{
    public const int Capacity = 1 << 16;

    private readonly object gate = new();
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private readonly Queue<string> order = new();

    /// <summary>True the first time <paramref name="message"/> arrives; false for a replay (then drop it).</summary>
    public bool IsNew(JupyterMessage message)
    {
        string key = message.Signature.Length > 0
            ? "sig:" + message.Signature.ToLowerInvariant()
            : $"id:{(string?)message.Header["session"]}:{message.MessageId}";
        lock (gate)
        {
            if (!seen.Add(key)) return false;
            order.Enqueue(key);
            if (order.Count > Capacity) seen.Remove(order.Dequeue());
            return true;
        }
    }
}
