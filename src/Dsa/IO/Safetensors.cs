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

    /// <summary>The largest header accepted (the reference implementation's limit is 100 MB too).</summary>
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>One header entry: a tensor's dtype, shape and byte range within the data section.</summary>
    private sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    /// <summary>Reads every tensor of <paramref name="path"/>.</summary>
    public static Content Read(string path)
    {
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>
    /// Reads every tensor of a safetensors stream. Every header field is checked (dtype, shape,
    /// data_offsets inside the data section and equal to the shape's size) before any tensor is
    /// allocated, so the tensors never take more than the stream holds. A stream that cannot seek is
    /// buffered first.
    /// </summary>
    public static Content Read(Stream stream, string nameForErrors)
    {
        if (!stream.CanSeek)
        {
            var buffered = new MemoryStream();
            stream.CopyTo(buffered);
            buffered.Position = 0;
            stream = buffered;
        }
        var (entries, meta, dataStart) = ReadHeader(stream, nameForErrors);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var e in entries) tensors[e.Name] = ReadData(stream, dataStart, e, nameForErrors);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new Content(tensors, meta);
    }

    /// <summary>
    /// The header of a seekable safetensors stream as declared tensors (checked as in <see cref="Read(Stream, string)"/>),
    /// whose data is read from <paramref name="stream"/> only when asked for; the stream must stay open
    /// until the result is disposed (which disposes it unless <paramref name="leaveOpen"/>).
    /// </summary>
    public static DeclaredStateDict Open(Stream stream, string nameForErrors, bool leaveOpen = false)
    {
        if (!stream.CanSeek) throw new ArgumentException("Safetensors.Open needs a seekable stream.", nameof(stream));
        var (entries, _, dataStart) = ReadHeader(stream, nameForErrors);
        var declared = entries.Select(e => new DeclaredTensor(e.Name, e.Type, e.Shape, () => ReadData(stream, dataStart, e, nameForErrors))).ToList();
        return new DeclaredStateDict(nameForErrors, declared, leaveOpen ? null : stream);
    }

    private static Tensor ReadData(Stream stream, long dataStart, Entry e, string nameForErrors)
    {
        var t = torch.empty(e.Shape, e.Type);
        long length = e.End - e.Begin;
        if (length == 0) return t;
        try
        {
            if (length > Array.MaxLength)
                throw new InvalidDataException($"{nameForErrors}: tensor '{e.Name}' holds {length:N0} bytes; tensors above {Array.MaxLength:N0} bytes are not supported.");
            var bytes = new byte[length];
            stream.Position = dataStart + e.Begin;
            stream.ReadExactly(bytes);
            t.bytes = bytes;
            return t;
        }
        catch (EndOfStreamException)
        {
            t.Dispose();
            throw new InvalidDataException($"{nameForErrors}: truncated safetensors data (tensor '{e.Name}').");
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    private static (List<Entry> Entries, Dictionary<string, string> Meta, long DataStart) ReadHeader(Stream stream, string nameForErrors)
    {
        InvalidDataException Error(string what) => new($"{nameForErrors}: {what}.");
        long total = stream.Length - stream.Position;
        var lenBytes = new byte[8];
        if (stream.ReadAtLeast(lenBytes, 8, throwOnEndOfStream: false) < 8) throw Error("truncated safetensors file (no 8-byte header length)");
        ulong n = BitConverter.ToUInt64(lenBytes);
        if (n < 2 || n > MaxHeaderBytes || (long)n > total - 8)
            throw Error($"safetensors header length {n} is not plausible (the file holds {total} bytes)");
        var headerBytes = new byte[n];
        stream.ReadExactly(headerBytes);
        long dataStart = stream.Position;
        long dataLength = total - 8 - (long)n;
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(headerBytes)) as JsonObject ?? throw Error("safetensors header is not a JSON object"); }
        catch (Exception e) when (e is JsonException or ArgumentException) { throw Error($"safetensors header is not valid JSON: {e.Message}"); }

        var meta = new Dictionary<string, string>();
        var entries = new List<Entry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject m) throw Error("field '__metadata__' is not an object of strings");
                foreach (var (k, v) in m)
                    meta[k] = v is JsonValue value && value.TryGetValue(out string? text) ? text : throw Error($"field '__metadata__.{k}' is not a string");
                continue;
            }
            string field = $"tensor '{name}'";
            if (node is not JsonObject o) throw Error($"{field} has no header object");
            string dtype = o["dtype"] is JsonValue dv && dv.TryGetValue(out string? d) ? d : throw Error($"{field} field 'dtype' is missing or not a string");
            var (_, type, size) = DTypes.FirstOrDefault(t => t.Name == dtype);
            if (size == 0) throw Error($"{field} field 'dtype' is '{dtype}', which is not supported");
            long[] shape = Integers(o["shape"], $"{field} field 'shape'", Error);
            long[] offsets = Integers(o["data_offsets"], $"{field} field 'data_offsets'", Error);
            if (offsets.Length != 2) throw Error($"{field} field 'data_offsets' has {offsets.Length} values, not [begin, end]");
            long numel = DeclaredTensor.ElementCount(shape, problem => Error($"{field} field 'shape' {problem}"));
            long begin = offsets[0], end = offsets[1];
            if (numel > long.MaxValue / size || begin > end || end > dataLength || end - begin != numel * size)
                throw Error($"{field} field 'data_offsets' [{begin}, {end}] does not fit shape [{string.Join(",", shape)}] x {size} bytes within {dataLength} data bytes");
            entries.Add(new Entry(name, type, shape, begin, end));
        }
        return (entries, meta, dataStart);
    }

    /// <summary>A JSON array of non-negative integers (a shape, or data_offsets).</summary>
    private static long[] Integers(JsonNode? node, string field, Func<string, InvalidDataException> error)
    {
        if (node is not JsonArray array) throw error($"{field} is missing or not an array");
        var result = new long[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonValue v || !v.TryGetValue(out long x))
                throw error($"{field}[{i}] is {(array[i] is null ? "null" : array[i]!.ToJsonString())}, not an integer");
            if (x < 0) throw error($"{field}[{i}] is {x} (negative)");
            result[i] = x;
        }
        return result;
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
