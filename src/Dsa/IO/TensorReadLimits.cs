namespace Dsa.IO;

/// <summary>
/// What a weights or checkpoint file may make a reader do before anything is allocated: how deep its
/// pickled containers may nest, and how many bytes its tensors and archive entries may take in memory.
/// A file comes from anyone (a model zoo, a colleague, a download), and every size it declares is a
/// claim until checked against these limits and against the file's own length.
/// </summary>
public sealed record TensorReadLimits
{
    /// <summary>Nesting that no tensor checkpoint comes near: a training checkpoint is about 5 levels deep.</summary>
    public const int DefaultMaxDepth = 1000;

    /// <summary>Headroom above the file-derived cap, so that small files with tied or expanded views still read.</summary>
    public const long DefaultSlackBytes = 64L << 20;

    /// <summary>Deepest container nesting (lists, tuples, dicts) walked; deeper is an error.</summary>
    public int MaxDepth { get; init; } = DefaultMaxDepth;

    /// <summary>
    /// Most bytes the reader may hold for one file (archive entries read plus tensors materialised);
    /// null = <see cref="DefaultTotalBytes"/>.
    /// </summary>
    public long? MaxTotalBytes { get; init; }

    public static TensorReadLimits Default { get; } = new();

    /// <summary>
    /// Twice the file (its storages once as read, once as dense tensors), plus the target model's own
    /// size when one is known, plus <see cref="DefaultSlackBytes"/>. A genuine torch.save file stores
    /// its storages uncompressed, so it never needs more; a zip bomb or a stride-0 view claiming
    /// gigabytes from a few hundred bytes does.
    /// </summary>
    public static long DefaultTotalBytes(long fileBytes, long modelBytes = 0) =>
        Saturating(Saturating(2 * Math.Max(0, fileBytes), Math.Max(0, modelBytes)), DefaultSlackBytes);

    /// <summary>The byte cap for a file of <paramref name="fileBytes"/> read into a model of <paramref name="modelBytes"/>.</summary>
    public long TotalBytesFor(long fileBytes, long modelBytes = 0) => MaxTotalBytes ?? DefaultTotalBytes(fileBytes, modelBytes);

    private static long Saturating(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
