using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;
using PickleGlobal = Dsa.IO.RestrictedUnpickler.PickleGlobal;

namespace Dsa.IO;

/// <summary>
/// Reads PyTorch <c>torch.save</c> checkpoints (.pth / .pt) without Python and without running code:
/// the zip format (torch &gt;= 1.6: <c>&lt;archive&gt;/data.pkl</c> + <c>&lt;archive&gt;/data/&lt;key&gt;</c>
/// storages) and the legacy format (torch &lt; 1.6: magic, protocol 1001, sys-info, object pickle,
/// storage-key list, then each storage as an int64 element count and raw data). Only the globals a
/// tensor checkpoint needs are allowed (see <see cref="AllowedGlobals"/>), like
/// <c>torch.load(weights_only=True)</c>.
/// </summary>
public static class PthReader
{
    /// <summary>The legacy format's first pickle (torch.serialization.MAGIC_NUMBER).</summary>
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356");
    private const long LegacyProtocolVersion = 1001;

    private sealed record StorageType(ScalarType DType, int ElementSize);

    /// <summary>A storage named by a persistent id; its bytes arrive after unpickling (legacy) or from a zip entry.</summary>
    private sealed record StorageRef(string Key, StorageType Type, long Numel, long ViewOffset);

    /// <summary>What <c>_rebuild_tensor_v2</c> describes; turned into a dense tensor once the storages are read.</summary>
    private sealed record PendingTensor(StorageRef Storage, long Offset, long[] Size, long[] Stride);

    private static readonly Dictionary<string, StorageType> StorageTypes = new()
    {
        ["FloatStorage"] = new(ScalarType.Float32, 4), ["DoubleStorage"] = new(ScalarType.Float64, 8),
        ["HalfStorage"] = new(ScalarType.Float16, 2), ["BFloat16Storage"] = new(ScalarType.BFloat16, 2),
        ["LongStorage"] = new(ScalarType.Int64, 8), ["IntStorage"] = new(ScalarType.Int32, 4),
        ["ShortStorage"] = new(ScalarType.Int16, 2), ["CharStorage"] = new(ScalarType.Int8, 1),
        ["ByteStorage"] = new(ScalarType.Byte, 1), ["BoolStorage"] = new(ScalarType.Bool, 1),
    };

    /// <summary>The globals a checkpoint may reference, as "module.name".</summary>
    public static IReadOnlyCollection<string> AllowedGlobals { get; } =
        new[] { "collections.OrderedDict", "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
                "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch.device" }
        .Concat(StorageTypes.Keys.Select(k => "torch." + k)).ToArray();

    /// <summary>
    /// Reads a checkpoint holding a state dict: the top-level dict itself, or its "state_dict" / "model"
    /// entry (training checkpoints); a "module." prefix on every key (DataParallel) is removed.
    /// Returns dense, contiguous CPU tensors in file order; the caller owns (disposes) them.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> ReadStateDict(string path)
    {
        var root = ReadObject(path);
        try
        {
            var dict = root as OrderedDictionary<object, object?>
                ?? throw new InvalidDataException($"{path}: the checkpoint holds a {Describe(root)}, not a dict of tensors.");
            foreach (var wrapper in new[] { "state_dict", "model" })
                if (dict.TryGetValue(wrapper, out var inner) && inner is OrderedDictionary<object, object?> innerDict)
                {
                    dict = innerDict;
                    break;
                }

            var result = new OrderedDictionary<string, Tensor>();
            foreach (var (key, value) in dict)
            {
                if (key is not string name) throw new InvalidDataException($"{path}: state dict key {Describe(key)} is not a string.");
                if (value is not Tensor t) throw new InvalidDataException($"{path}: state dict entry '{name}' is a {Describe(value)}, not a tensor.");
                result[name] = t;
            }
            const string dataParallelPrefix = "module.";
            if (result.Count > 0 && result.Keys.All(k => k.StartsWith(dataParallelPrefix, StringComparison.Ordinal)))
            {
                var stripped = new OrderedDictionary<string, Tensor>();
                foreach (var (k, v) in result) stripped[k[dataParallelPrefix.Length..]] = v;
                result = stripped;
            }
            // Tensors outside the returned dict (optimizer state, ...) are released here.
            var kept = new HashSet<Tensor>(result.Values, ReferenceEqualityComparer.Instance);
            ForEachTensor(root, t => { if (!kept.Contains(t)) t.Dispose(); });
            return result;
        }
        catch
        {
            ForEachTensor(root, t => t.Dispose());
            throw;
        }
    }

    /// <summary>
    /// Reads the whole pickled object of a checkpoint. Values: None -> null, bool, int -> long
    /// (System.Numerics.BigInteger when larger), float -> double, str -> string, bytes -> byte[],
    /// tuple -> object?[], list/set -> List&lt;object?&gt;, dict/OrderedDict -> OrderedDictionary&lt;object, object?&gt;,
    /// tensors and parameters -> dense contiguous CPU <see cref="Tensor"/>, torch.device -> its string.
    /// </summary>
    public static object? ReadObject(string path)
    {
        using var fs = File.OpenRead(path);
        var head = new byte[4];
        int n = fs.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        fs.Position = 0;
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return ReadZip(fs, path);
        if (n >= 2 && head[0] == 0x80) return ReadLegacy(fs, path);
        throw new InvalidDataException($"{path}: not a PyTorch checkpoint (neither a zip archive nor a legacy pickle stream).");
    }

    private static object? ReadZip(FileStream fs, string path)
    {
        ZipArchive zip;
        try { zip = new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: corrupt or truncated zip checkpoint: {e.Message}", e); }
        using (zip)
        {
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var e in zip.Entries) entries[e.FullName] = e;
            var pickles = entries.Keys.Where(k => k == "data.pkl" || k.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
            if (pickles.Count != 1)
                throw new InvalidDataException($"{path}: a PyTorch zip checkpoint has exactly one '<archive>/data.pkl' entry; found {pickles.Count}.");
            string prefix = pickles[0][..^"data.pkl".Length];
            if (entries.TryGetValue(prefix + "byteorder", out var byteOrder))
            {
                var order = Encoding.ASCII.GetString(ReadEntry(byteOrder, path)).Trim();
                if (order != "little") throw new InvalidDataException($"{path}: entry '{byteOrder.FullName}' says byte order '{order}'; only little-endian is supported.");
            }

            object? root;
            using (var pkl = new MemoryStream(ReadEntry(entries[pickles[0]], path)))
                root = new RestrictedUnpickler(pkl, path, FindGlobal, pid => ParsePersistentId(pid, path)).Load();

            var storages = new Dictionary<string, Tensor>();
            try
            {
                return Materialise(root, path, storage =>
                {
                    if (storages.TryGetValue(storage.Key, out var s)) return s;
                    string name = prefix + "data/" + storage.Key;
                    if (!entries.TryGetValue(name, out var entry)) throw new InvalidDataException($"{path}: storage entry '{name}' is missing.");
                    var bytes = ReadEntry(entry, path);
                    return storages[storage.Key] = StorageTensor(bytes, storage, path, name);
                });
            }
            finally { foreach (var s in storages.Values) s.Dispose(); }
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string path)
    {
        try
        {
            using var s = entry.Open();
            var buffer = new byte[entry.Length];
            s.ReadExactly(buffer);
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{path}: cannot read zip entry '{entry.FullName}' (corrupt or truncated file): {e.Message}", e);
        }
    }

    private static object? ReadLegacy(FileStream fs, string path)
    {
        var stream = new BufferedStream(fs, 1 << 16);
        RestrictedUnpickler Plain() => new(stream, path, FindGlobal, null);
        if (Plain().Load() is not BigInteger magic || magic != LegacyMagic)
            throw new InvalidDataException($"{path}: legacy checkpoint lacks torch's magic number.");
        if (Plain().Load() is not long protocol || protocol != LegacyProtocolVersion)
            throw new InvalidDataException($"{path}: legacy checkpoint has an unsupported protocol version (expected {LegacyProtocolVersion}).");
        if (Plain().Load() is OrderedDictionary<object, object?> sysInfo && sysInfo.TryGetValue("little_endian", out var le) && le is false)
            throw new InvalidDataException($"{path}: legacy checkpoint was written big-endian; only little-endian is supported.");

        var referenced = new Dictionary<string, StorageRef>();
        var root = new RestrictedUnpickler(stream, path, FindGlobal, pid =>
        {
            var s = ParsePersistentId(pid, path);
            referenced.TryAdd(s.Key, s);
            return s;
        }).Load();
        var keys = Plain().Load() as List<object?> ?? throw new InvalidDataException($"{path}: legacy checkpoint lacks the storage key list.");

        var storages = new Dictionary<string, Tensor>();
        try
        {
            var header = new byte[8];
            foreach (var k in keys)
            {
                var key = k as string ?? throw new InvalidDataException($"{path}: storage key {Describe(k)} is not a string.");
                if (!referenced.TryGetValue(key, out var storage))
                    throw new InvalidDataException($"{path}: storage '{key}' is listed but no tensor uses it, so its element type is unknown.");
                try
                {
                    stream.ReadExactly(header);
                    long count = BinaryPrimitives.ReadInt64LittleEndian(header);
                    if (count < 0 || count > fs.Length / storage.Type.ElementSize)
                        throw new InvalidDataException($"{path}: storage '{key}' claims {count} elements, more than the file holds ({fs.Length} bytes).");
                    var bytes = new byte[count * storage.Type.ElementSize];
                    stream.ReadExactly(bytes);
                    storages[key] = StorageTensor(bytes, storage with { Numel = count }, path, $"storage '{key}'");
                }
                catch (EndOfStreamException) { throw new InvalidDataException($"{path}: truncated legacy checkpoint (data of storage '{key}')."); }
            }
            return Materialise(root, path, storage =>
                storages.TryGetValue(storage.Key, out var s) ? s : throw new InvalidDataException($"{path}: storage '{storage.Key}' is not in the file's storage list."));
        }
        finally { foreach (var s in storages.Values) s.Dispose(); }
    }

    /// <summary>A 1-D tensor over a storage's raw little-endian elements.</summary>
    private static Tensor StorageTensor(byte[] bytes, StorageRef storage, string path, string what)
    {
        long expected = storage.Numel * storage.Type.ElementSize;
        if (bytes.LongLength != expected)
            throw new InvalidDataException($"{path}: {what} holds {bytes.LongLength} bytes; its persistent id says {storage.Numel} elements of {storage.Type.DType} ({expected} bytes).");
        var t = torch.empty(new[] { storage.Numel }, storage.Type.DType);
        if (bytes.Length > 0) t.bytes = bytes;
        return t;
    }

    /// <summary>Replaces every <see cref="PendingTensor"/> in the object graph by a dense tensor.</summary>
    private static object? Materialise(object? root, string path, Func<StorageRef, Tensor> storageOf)
    {
        var done = new Dictionary<PendingTensor, Tensor>(ReferenceEqualityComparer.Instance);
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var created = new List<Tensor>();
        try
        {
            return Visit(root);
        }
        catch
        {
            foreach (var t in created) t.Dispose();
            throw;
        }

        object? Visit(object? o)
        {
            switch (o)
            {
                case PendingTensor p:
                    if (!done.TryGetValue(p, out var t))
                    {
                        t = Dense(p, storageOf(p.Storage), path);
                        done[p] = t;
                        created.Add(t);
                    }
                    return t;
                case object?[] tuple when visited.Add(tuple):
                    for (int i = 0; i < tuple.Length; i++) tuple[i] = Visit(tuple[i]);
                    return tuple;
                case List<object?> list when visited.Add(list):
                    for (int i = 0; i < list.Count; i++) list[i] = Visit(list[i]);
                    return list;
                case OrderedDictionary<object, object?> dict when visited.Add(dict):
                    for (int i = 0; i < dict.Count; i++) dict.SetAt(i, Visit(dict.GetAt(i).Value));
                    return dict;
                case StorageRef:
                    throw new InvalidDataException($"{path}: a bare storage outside a tensor is not supported.");
                default:
                    return o;
            }
        }
    }

    /// <summary>element [i0, i1, ...] = storage[offset + sum(i_d * stride_d)], copied into fresh contiguous memory.</summary>
    private static Tensor Dense(PendingTensor p, Tensor storage, string path)
    {
        long offset = p.Storage.ViewOffset + p.Offset;
        if (p.Size.Any(s => s == 0)) return torch.empty(p.Size, p.Storage.Type.DType);
        if (p.Stride.Any(s => s < 0) || offset < 0)
            throw new InvalidDataException($"{path}: tensor on storage '{p.Storage.Key}' has a negative stride or offset.");
        long last = offset;
        for (int d = 0; d < p.Size.Length; d++) last += (p.Size[d] - 1) * p.Stride[d];
        if (last >= storage.shape[0])
            throw new InvalidDataException($"{path}: tensor [{string.Join(",", p.Size)}] stride [{string.Join(",", p.Stride)}] offset {offset} reads element {last} of storage '{p.Storage.Key}', which has {storage.shape[0]}.");
        using var view = storage.as_strided(p.Size, p.Stride, offset);
        // A contiguous view would share the storage with its siblings; every entry gets its own memory.
        return view.is_contiguous() ? view.clone() : view.contiguous();
    }

    /// <summary>('storage', storage type, key, location, numel[, view_metadata]); the 6th element only in the legacy format.</summary>
    private static StorageRef ParsePersistentId(object? pid, string path)
    {
        if (pid is not object?[] { Length: 5 or 6 } t || t[0] is not "storage")
            throw new InvalidDataException($"{path}: persistent id {Describe(pid)} is not a ('storage', type, key, location, numel) tuple.");
        if (t[1] is not PickleGlobal { Value: StorageType type })
            throw new InvalidDataException($"{path}: persistent id storage type {Describe(t[1])} is not a torch.*Storage type.");
        var key = t[2] as string ?? throw new InvalidDataException($"{path}: persistent id storage key {Describe(t[2])} is not a string.");
        if (t[4] is not long numel || numel < 0) throw new InvalidDataException($"{path}: storage '{key}' element count {Describe(t[4])} is not a non-negative integer.");
        long viewOffset = 0;
        if (t.Length == 6 && t[5] is not null)
        {
            // Legacy view_metadata (view_key, offset, view_size): a storage view inside a root storage.
            if (t[5] is not object?[] { Length: 3 } view || view[1] is not long off)
                throw new InvalidDataException($"{path}: storage '{key}' view metadata {Describe(t[5])} is malformed.");
            viewOffset = off;
        }
        return new StorageRef(key, type, numel, viewOffset);
    }

    private static PickleGlobal? FindGlobal(string module, string name)
    {
        switch (module, name)
        {
            case ("collections", "OrderedDict"):
                return new(module, name, args => args.Length == 0 ? new OrderedDictionary<object, object?>() : OrderedDictFrom(args[0]), null);
            case ("torch._utils", "_rebuild_tensor_v2"):
            case ("torch._utils", "_rebuild_tensor"):
                return new(module, name, RebuildTensor, null);
            case ("torch._utils", "_rebuild_parameter"):
            case ("torch._utils", "_rebuild_parameter_with_state"):
                // (data, requires_grad, backward_hooks[, state]): a Parameter is its data here.
                return new(module, name, args => args.Length >= 1 ? args[0] : throw new InvalidDataException("no data argument"), null);
            case ("torch", "device"):
                return new(module, name, args => string.Join(":", args.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture))), null);
            case ("torch", _) when StorageTypes.TryGetValue(name, out var type):
                return new(module, name, null, type);
            default:
                return null;
        }
    }

    private static OrderedDictionary<object, object?> OrderedDictFrom(object? items)
    {
        var d = new OrderedDictionary<object, object?>();
        foreach (var pair in items as IEnumerable<object?> ?? throw new InvalidDataException("OrderedDict argument is not iterable"))
        {
            if (pair is not object?[] { Length: 2 } kv || kv[0] is null) throw new InvalidDataException("OrderedDict item is not a (key, value) pair");
            d[kv[0]!] = kv[1];
        }
        return d;
    }

    /// <summary>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).</summary>
    private static object? RebuildTensor(object?[] args)
    {
        if (args.Length < 4 || args[0] is not StorageRef storage || args[1] is not long offset)
            throw new InvalidDataException("expects (storage, storage_offset, size, stride, ...)");
        return new PendingTensor(storage, offset, Longs(args[2], "size"), Longs(args[3], "stride"));
    }

    private static long[] Longs(object? o, string what) => o switch
    {
        object?[] t when t.All(x => x is long) => t.Select(x => (long)x!).ToArray(),
        _ => throw new InvalidDataException($"{what} {Describe(o)} is not a tuple of integers"),
    };

    private static void ForEachTensor(object? o, Action<Tensor> action)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(o);

        void Walk(object? x)
        {
            if (x is null || !visited.Add(x)) return;
            switch (x)
            {
                case Tensor t: action(t); break;
                case object?[] tuple: foreach (var e in tuple) Walk(e); break;
                case List<object?> list: foreach (var e in list) Walk(e); break;
                case OrderedDictionary<object, object?> dict: foreach (var (_, v) in dict) Walk(v); break;
            }
        }
    }

    private static string Describe(object? o) => o switch
    {
        null => "None",
        string s => $"'{s}'",
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        object?[] t => $"tuple of {t.Length}",
        _ => o.GetType().Name,
    };
}
