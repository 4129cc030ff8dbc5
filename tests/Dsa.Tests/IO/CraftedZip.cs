using System.Text;

namespace Dsa.Tests.IO;

/// <summary>
/// Writes zip archives byte by byte, to make what System.IO.Compression never writes for small
/// files: zip64 headers (sizes and offsets in the zip64 extra field, a zip64 end of central
/// directory), and entries that declare a size other than the data they hold. Stored entries only.
/// </summary>
internal static class CraftedZip
{
    /// <param name="entries">Name, data, and the uncompressed size the headers should claim (null: the real one).</param>
    public static byte[] Zip64(params (string Name, byte[] Data, long? DeclaredSize)[] entries)
    {
        var s = new MemoryStream();
        var w = new BinaryWriter(s);
        var offsets = new List<long>();
        foreach (var (name, data, declared) in entries)
        {
            offsets.Add(s.Position);
            long size = declared ?? data.Length;
            w.Write(0x04034b50u); w.Write((ushort)45); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0x21);
            w.Write(Crc32(data)); w.Write(uint.MaxValue); w.Write(uint.MaxValue);
            w.Write((ushort)Encoding.UTF8.GetByteCount(name)); w.Write((ushort)20);
            w.Write(Encoding.UTF8.GetBytes(name));
            w.Write((ushort)1); w.Write((ushort)16); w.Write(size); w.Write(size); // zip64 extra: uncompressed, compressed
            w.Write(data);
        }
        long directory = s.Position;
        for (int i = 0; i < entries.Length; i++)
        {
            var (name, data, declared) = entries[i];
            long size = declared ?? data.Length;
            w.Write(0x02014b50u); w.Write((ushort)45); w.Write((ushort)45); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0x21);
            w.Write(Crc32(data)); w.Write(uint.MaxValue); w.Write(uint.MaxValue);
            w.Write((ushort)Encoding.UTF8.GetByteCount(name)); w.Write((ushort)28); w.Write((ushort)0);
            w.Write((ushort)0); w.Write((ushort)0); w.Write(0u); w.Write(uint.MaxValue);
            w.Write(Encoding.UTF8.GetBytes(name));
            w.Write((ushort)1); w.Write((ushort)24); w.Write(size); w.Write(size); w.Write(offsets[i]);
        }
        long directorySize = s.Position - directory, zip64End = s.Position;
        w.Write(0x06064b50u); w.Write(44L); w.Write((ushort)45); w.Write((ushort)45); w.Write(0u); w.Write(0u);
        w.Write((long)entries.Length); w.Write((long)entries.Length); w.Write(directorySize); w.Write(directory);
        w.Write(0x07064b50u); w.Write(0u); w.Write(zip64End); w.Write(1u);
        w.Write(0x06054b50u); w.Write((ushort)0); w.Write((ushort)0); w.Write(ushort.MaxValue); w.Write(ushort.MaxValue);
        w.Write(uint.MaxValue); w.Write(uint.MaxValue); w.Write((ushort)0);
        w.Flush();
        return s.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
