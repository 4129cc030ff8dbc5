namespace Dsa.IO;

/// <summary>
/// Why a file was refused: it asked for more than <see cref="TensorReadLimits"/> allow (bytes or
/// nesting depth). Readers throw an <see cref="InvalidDataException"/> (what every caller already
/// handles as bad input) with this as its inner exception, so a front end can tell a limit apart and
/// say how to raise it. Nothing of the requested size was allocated.
/// </summary>
public sealed class TensorLimitExceededException(string message, long limit, long requested) : Exception(message)
{
    /// <summary>The limit in force (bytes, or levels for depth).</summary>
    public long Limit { get; } = limit;

    /// <summary>What the file asked for, in the same unit.</summary>
    public long Requested { get; } = requested;

    /// <summary>The exception readers throw: bad input, with the limit attached.</summary>
    public static InvalidDataException Refusal(string message, long limit, long requested) =>
        new(message, new TensorLimitExceededException(message, limit, requested));
}
