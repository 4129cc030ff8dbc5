using System.IO.Compression;
using System.Text;

namespace Dsa.Tests.IO;

/// <summary>Writes pickle opcodes by hand, to build checkpoints the fixtures do not cover.</summary>
internal sealed class PickleBytes
{
    private readonly MemoryStream _s = new();

    public PickleBytes Op(char op) { _s.WriteByte((byte)op); return this; }
    public PickleBytes Op(byte op) { _s.WriteByte(op); return this; }
    public PickleBytes Proto2() => Op(0x80).Op(2);
    public PickleBytes Global(string module, string name) { Op('c'); Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n")); return this; }
    public PickleBytes Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        Op('X'); Raw(BitConverter.GetBytes(b.Length)); Raw(b);
        return this;
    }
    public PickleBytes Int(byte v) { Op('K'); _s.WriteByte(v); return this; }
    public PickleBytes Raw(byte[] b) { _s.Write(b); return this; }
    public PickleBytes EmptyOrderedDict() => Global("collections", "OrderedDict").Op(')').Op('R');

    /// <summary>_rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict()).</summary>
    public PickleBytes FloatTensor(string key, byte numel, byte offset, byte[] size, byte[] stride) =>
        FloatTensor(key, (long)numel, offset, size.Select(s => (long)s).ToArray(), stride.Select(s => (long)s).ToArray());

    /// <summary>Any integer: BININT (4 bytes) when it fits, else LONG1 (8 bytes, little-endian two's complement).</summary>
    public PickleBytes Long(long v)
    {
        if (v >= int.MinValue && v <= int.MaxValue) { Op('J'); Raw(BitConverter.GetBytes((int)v)); }
        else { Op(0x8a); _s.WriteByte(8); Raw(BitConverter.GetBytes(v)); }
        return this;
    }

    /// <summary>_rebuild_tensor_v2 over a FloatStorage, with any sizes (negative, huge, stride 0) the test wants to declare.</summary>
    public PickleBytes FloatTensor(string key, long numel, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Op('(');
        Op('(').Str("storage").Global("torch", "FloatStorage").Str(key).Str("cpu").Long(numel).Op('t').Op('Q');
        Long(offset);
        Op('('); foreach (var s in size) Long(s); Op('t');
        Op('('); foreach (var s in stride) Long(s); Op('t');
        Op(0x89).EmptyOrderedDict().Op('t').Op('R');
        return this;
    }

    /// <summary>A state dict with one entry: {name: tensor}.</summary>
    public static byte[] OneEntryStateDict(string name, Func<PickleBytes, PickleBytes> tensor) =>
        tensor(new PickleBytes().Proto2().EmptyOrderedDict().Str(name)).Op('s').Op('.').ToArray();

    public byte[] ToArray() => _s.ToArray();

    /// <summary>A torch zip checkpoint: &lt;archive&gt;/data.pkl, &lt;archive&gt;/data/&lt;key&gt;, &lt;archive&gt;/version.</summary>
    public static void WriteZip(string path, string archive, byte[] dataPkl, IReadOnlyDictionary<string, byte[]> storages,
        CompressionLevel compression = CompressionLevel.NoCompression)
    {
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        void Add(string name, byte[] content)
        {
            using var e = zip.CreateEntry($"{archive}/{name}", compression).Open();
            e.Write(content);
        }
        Add("data.pkl", dataPkl);
        foreach (var (key, bytes) in storages) Add($"data/{key}", bytes);
        Add("version", Encoding.ASCII.GetBytes("3\n"));
    }
}
