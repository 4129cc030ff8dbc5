namespace Dsa.Data.Pipeline;

/// <summary>
/// Least-recently-used cache of decoded frames, bounded in bytes and safe to share between loader threads.
/// A frame is needed by every person in it and by up to 1 + |offsets| windows, so in dataset order
/// (evaluation) each frame is decoded once instead of about 5 x people times. Frames are managed byte
/// arrays: evicting one never invalidates a frame another thread is still warping.
/// </summary>
public sealed class FrameCache
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<DecodedFrame>> _byPath = new(StringComparer.Ordinal);
    private readonly LinkedList<DecodedFrame> _recent = new();
    private long _bytes;

    public long CapacityBytes { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }

    /// <param name="capacityBytes">Largest total size kept (default 512 MiB: about 60 full-HD or 1700 320x240 frames).</param>
    public FrameCache(long capacityBytes = 512L << 20)
    {
        if (capacityBytes < 0) throw new ArgumentOutOfRangeException(nameof(capacityBytes), capacityBytes, "must be >= 0");
        CapacityBytes = capacityBytes;
    }

    public void Clear()
    {
        lock (_gate)
        {
            _byPath.Clear();
            _recent.Clear();
            _bytes = 0;
        }
    }

    /// <summary>The decoded frame at <paramref name="path"/>, decoding it on a miss (errors name the file and the sample).</summary>
    public DecodedFrame Get(string path, string sampleDescription)
    {
        lock (_gate)
        {
            if (_byPath.TryGetValue(path, out var node))
            {
                Hits++;
                _recent.Remove(node);
                _recent.AddFirst(node);
                return node.Value;
            }
            Misses++;
        }
        // Decode outside the lock; two threads missing the same frame both decode it, which is harmless.
        var frame = AffineCrop.DecodeRgba(path, sampleDescription);
        lock (_gate)
        {
            if (_byPath.ContainsKey(path) || frame.SizeInBytes > CapacityBytes) return frame;
            _byPath[path] = _recent.AddFirst(frame);
            _bytes += frame.SizeInBytes;
            while (_bytes > CapacityBytes && _recent.Last is { } last)
            {
                _recent.RemoveLast();
                _byPath.Remove(last.Value.Path);
                _bytes -= last.Value.SizeInBytes;
            }
        }
        return frame;
    }
}
