using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.IO;

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of JSON mapping each tensor name to {dtype, shape, data_offsets} plus an optional
/// "__metadata__" string map, then the raw little-endian C-order data.
/// </summary>
public static class Safetensors
{
    /// <summary>A file's tensors (CPU, in header order) and its string metadata.</summary>
    public sealed record Content(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) : IDisposable
    {
        public Tensor this[string name] => Tensors.TryGetValue(name, out var t)
            ? t
            : throw new KeyNotFoundException($"safetensors file has no tensor '{name}' (has: {string.Join(", ", Tensors.Keys)}).");

        public void Dispose()
        {
            foreach (var t in Tensors.Values) t.Dispose();
        }
    }

    private static readonly (string Name, ScalarType Type, int Size)[] DTypes =
    {
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2), ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1), ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    };

    public static string DTypeName(ScalarType t)
    {
        foreach (var d in DTypes) if (d.Type == t) return d.Name;
        throw new NotSupportedException($"safetensors cannot store dtype {t}.");
    }

    /// <summary>Reads every tensor of <paramref name="path"/>.</summary>
    public static Content Read(string path)
    {
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    public static Content Read(Stream stream, string nameForErrors)
    {
        var lenBytes = new byte[8];
        stream.ReadExactly(lenBytes);
        ulong n = BitConverter.ToUInt64(lenBytes);
        if (n == 0 || n > 100_000_000)
            throw new InvalidDataException($"{nameForErrors}: safetensors header length {n} is not plausible.");
        var headerBytes = new byte[n];
        try { stream.ReadExactly(headerBytes); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{nameForErrors}: truncated safetensors header (wanted {n} bytes)."); }
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(headerBytes))?.AsObject() ?? throw new InvalidDataException("null header"); }
        catch (JsonException e) { throw new InvalidDataException($"{nameForErrors}: safetensors header is not valid JSON: {e.Message}"); }

        var data = new MemoryStream();
        stream.CopyTo(data);
        var bytes = data.GetBuffer();
        long dataLength = data.Length;

        var meta = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) meta[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            var o = node?.AsObject() ?? throw new InvalidDataException($"{nameForErrors}: tensor '{name}' has no header entry.");
            string dtype = o["dtype"]?.GetValue<string>() ?? throw new InvalidDataException($"{nameForErrors}: tensor '{name}' lacks field 'dtype'.");
            var shapeNode = o["shape"]?.AsArray() ?? throw new InvalidDataException($"{nameForErrors}: tensor '{name}' lacks field 'shape'.");
            var offsets = o["data_offsets"]?.AsArray() ?? throw new InvalidDataException($"{nameForErrors}: tensor '{name}' lacks field 'data_offsets'.");
            long[] shape = shapeNode.Select(s => s!.GetValue<long>()).ToArray();
            long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
            var (_, type, size) = DTypes.FirstOrDefault(d => d.Name == dtype);
            if (size == 0) throw new InvalidDataException($"{nameForErrors}: tensor '{name}' has unsupported dtype '{dtype}'.");
            long numel = shape.Aggregate(1L, (a, b) => a * b);
            if (begin < 0 || end > dataLength || end - begin != numel * size)
                throw new InvalidDataException($"{nameForErrors}: tensor '{name}' field 'data_offsets' [{begin}, {end}] does not fit shape [{string.Join(",", shape)}] x {size} bytes within {dataLength} data bytes.");
            var t = torch.empty(shape, type);
            if (numel > 0) t.bytes = bytes.AsSpan((int)begin, (int)(end - begin));
            tensors[name] = t;
        }
        return new Content(tensors, meta);
    }

    /// <summary>Writes <paramref name="tensors"/> (any device; stored as contiguous CPU data) atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.Write(path, s => Write(s, tensors, metadata));

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="stream"/> (e.g. a checkpoint's zip entry).</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var m = new JsonObject();
            foreach (var (k, v) in metadata) m[k] = v;
            header["__metadata__"] = m;
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            using var c = tensor.detach().cpu().contiguous();
            var blob = c.numel() == 0 ? Array.Empty<byte>() : c.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeName(c.dtype),
                ["shape"] = new JsonArray(c.shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + blob.Length),
            };
            offset += blob.Length;
            blobs.Add(blob);
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        stream.Write(BitConverter.GetBytes((ulong)padded));
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var b in blobs) stream.Write(b);
    }
}
