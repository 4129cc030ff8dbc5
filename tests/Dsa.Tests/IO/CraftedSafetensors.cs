using System.IO.Compression;
using System.Text;

namespace Dsa.Tests.IO;

/// <summary>Safetensors bytes from a header written by hand, and zip entries replaced in place, for the hostile-input tests.</summary>
internal static class CraftedSafetensors
{
    /// <summary>8-byte little-endian header length, the header JSON as given, then <paramref name="data"/>.</summary>
    public static byte[] Bytes(string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        return [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. data];
    }

    /// <summary>Replaces (or, with null, removes) one entry of a zip file, keeping the others.</summary>
    public static void ReplaceEntry(string zipPath, string entryName, byte[]? content)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        zip.GetEntry(entryName)?.Delete();
        if (content is null) return;
        using var s = zip.CreateEntry(entryName, CompressionLevel.NoCompression).Open();
        s.Write(content);
    }

    public static byte[] ReadEntry(string zipPath, string entryName)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        using var s = zip.GetEntry(entryName)!.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}
