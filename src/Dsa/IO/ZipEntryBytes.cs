using System.IO.Compression;

namespace Dsa.IO;

/// <summary>
/// Reads a zip entry (stored or deflated; zip64 sizes included, which System.IO.Compression parses)
/// after checking its declared size against a byte budget, and never past that size: a zip bomb's
/// small declared size stops the inflation there, a large one is refused before anything is allocated.
/// </summary>
internal static class ZipEntryBytes
{
    /// <param name="budget">Bytes the caller may still allocate for this file.</param>
    public static byte[] Read(ZipArchiveEntry entry, string path, long budget)
    {
        long declared = entry.Length;
        string where = $"{path}: zip entry '{entry.FullName}'";
        if (declared < 0) throw new InvalidDataException($"{where} declares a negative size ({declared}).");
        if (declared > budget)
            throw TensorLimitExceededException.Refusal(
                $"{where} declares {declared:N0} bytes uncompressed ({entry.CompressedLength:N0} compressed), more than the {budget:N0} bytes allowed for this file (TensorReadLimits.MaxTotalBytes); nothing was allocated.",
                budget, declared);
        if (declared > Array.MaxLength)
            throw new InvalidDataException($"{where} declares {declared:N0} bytes; entries above {Array.MaxLength:N0} bytes are not supported.");
        var buffer = new byte[declared];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(buffer);
            if (s.ReadByte() >= 0)
                throw new InvalidDataException($"{where} inflates to more than its declared {declared:N0} bytes (corrupt or a zip bomb).");
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            if (e.Message.StartsWith(where, StringComparison.Ordinal)) throw;
            throw new InvalidDataException($"{where} cannot be read (corrupt or truncated file): {e.Message}", e);
        }
        return buffer;
    }
}
