using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;
using PickleGlobal = Dsa.IO.RestrictedUnpickler.PickleGlobal;

namespace Dsa.IO;

/// <summary>
/// One opened torch.save file (<see cref="PthReader"/> describes both formats): its unpickled object
/// graph, with each tensor still a description (storage, offset, size, stride), and the storages'
/// sizes, known before any data is read. <see cref="Dense"/> checks a tensor against its storage and
/// the byte budget first, then reads the storage (once) and copies the view out. Storages stay cached
/// until the archive is disposed; the dense tensors belong to the caller.
/// </summary>
internal sealed class PthArchive : IDisposable
{
    /// <summary>The legacy format's first pickle (torch.serialization.MAGIC_NUMBER).</summary>
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356");
    private const long LegacyProtocolVersion = 1001;

    internal sealed record StorageType(ScalarType DType, int ElementSize);

    /// <summary>A storage named by a persistent id; <paramref name="Numel"/> is what the id claims.</summary>
    internal sealed record StorageRef(string Key, StorageType Type, long Numel, long ViewOffset);

    /// <summary>What <c>_rebuild_tensor_v2</c> describes; turned into a dense tensor by <see cref="Dense"/>.</summary>
    internal sealed record PendingTensor(StorageRef Storage, long Offset, long[] Size, long[] Stride);

    internal static readonly Dictionary<string, StorageType> StorageTypes = new()
    {
        ["FloatStorage"] = new(ScalarType.Float32, 4), ["DoubleStorage"] = new(ScalarType.Float64, 8),
        ["HalfStorage"] = new(ScalarType.Float16, 2), ["BFloat16Storage"] = new(ScalarType.BFloat16, 2),
        ["LongStorage"] = new(ScalarType.Int64, 8), ["IntStorage"] = new(ScalarType.Int32, 4),
        ["ShortStorage"] = new(ScalarType.Int16, 2), ["CharStorage"] = new(ScalarType.Int8, 1),
        ["ByteStorage"] = new(ScalarType.Byte, 1), ["BoolStorage"] = new(ScalarType.Bool, 1),
    };

    private readonly string path;
    private readonly FileStream file;
    private readonly TensorReadLimits limits;
    private readonly long cap;
    private long used;
    private ZipArchive? zip;
    private string zipPrefix = "";
    private readonly Dictionary<string, ZipArchiveEntry> zipEntries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Offset, long Count)> legacyStorages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> storages = new(StringComparer.Ordinal);

    private PthArchive(string path, FileStream file, TensorReadLimits limits, long modelBytes)
    {
        this.path = path;
        this.file = file;
        this.limits = limits;
        cap = limits.TotalBytesFor(file.Length, modelBytes);
    }

    /// <summary>The unpickled object, tensors still <see cref="PendingTensor"/>s.</summary>
    public object? Root { get; private set; }

    public string Path => path;

    public TensorReadLimits Limits => limits;

    /// <param name="modelBytes">The size of the model the file is read into (0 if none), which raises the default byte cap.</param>
    public static PthArchive Open(string path, TensorReadLimits limits, long modelBytes)
    {
        var fs = File.OpenRead(path);
        var archive = new PthArchive(path, fs, limits, modelBytes);
        try
        {
            var head = new byte[4];
            int n = fs.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            fs.Position = 0;
            if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) archive.OpenZip();
            else if (n >= 2 && head[0] == 0x80) archive.OpenLegacy();
            else throw new InvalidDataException($"{path}: not a PyTorch checkpoint (neither a zip archive nor a legacy pickle stream).");
            return archive;
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var s in storages.Values) s.Dispose();
        storages.Clear();
        zip?.Dispose();
        file.Dispose();
    }

    private void OpenZip()
    {
        try { zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: corrupt or truncated zip checkpoint: {e.Message}", e); }
        foreach (var e in zip.Entries) zipEntries[e.FullName] = e;
        var pickles = zipEntries.Keys.Where(k => k == "data.pkl" || k.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
        if (pickles.Count != 1)
            throw new InvalidDataException($"{path}: a PyTorch zip checkpoint has exactly one '<archive>/data.pkl' entry; found {pickles.Count}.");
        zipPrefix = pickles[0][..^"data.pkl".Length];
        if (zipEntries.TryGetValue(zipPrefix + "byteorder", out var byteOrder))
        {
            var order = Encoding.ASCII.GetString(ReadEntry(byteOrder)).Trim();
            if (order != "little") throw new InvalidDataException($"{path}: entry '{byteOrder.FullName}' says byte order '{order}'; only little-endian is supported.");
        }
        using var pkl = new MemoryStream(ReadEntry(zipEntries[pickles[0]]));
        Root = new RestrictedUnpickler(pkl, path, FindGlobal, pid => ParsePersistentId(pid)).Load();
    }

    private byte[] ReadEntry(ZipArchiveEntry entry)
    {
        var bytes = ZipEntryBytes.Read(entry, path, cap - used);
        used += bytes.LongLength;
        return bytes;
    }

    private void OpenLegacy()
    {
        var stream = new BufferedStream(file, 1 << 16);
        RestrictedUnpickler Plain() => new(stream, path, FindGlobal, null);
        if (Plain().Load() is not BigInteger magic || magic != LegacyMagic)
            throw new InvalidDataException($"{path}: legacy checkpoint lacks torch's magic number.");
        if (Plain().Load() is not long protocol || protocol != LegacyProtocolVersion)
            throw new InvalidDataException($"{path}: legacy checkpoint has an unsupported protocol version (expected {LegacyProtocolVersion}).");
        if (Plain().Load() is OrderedDictionary<object, object?> sysInfo && sysInfo.TryGetValue("little_endian", out var le) && le is false)
            throw new InvalidDataException($"{path}: legacy checkpoint was written big-endian; only little-endian is supported.");

        var referenced = new Dictionary<string, StorageRef>();
        Root = new RestrictedUnpickler(stream, path, FindGlobal, pid =>
        {
            var s = ParsePersistentId(pid);
            referenced.TryAdd(s.Key, s);
            return s;
        }).Load();
        var keys = Plain().Load() as List<object?> ?? throw new InvalidDataException($"{path}: legacy checkpoint lacks the storage key list.");

        // Each storage: an int64 element count, then the raw data. Only the positions are recorded here;
        // the data is read when a tensor that uses it is materialised.
        var header = new byte[8];
        foreach (var k in keys)
        {
            var key = k as string ?? throw new InvalidDataException($"{path}: storage key {Describe(k)} is not a string.");
            if (!referenced.TryGetValue(key, out var storage))
                throw new InvalidDataException($"{path}: storage '{key}' is listed but no tensor uses it, so its element type is unknown.");
            try { stream.ReadExactly(header); }
            catch (EndOfStreamException) { throw new InvalidDataException($"{path}: truncated legacy checkpoint (header of storage '{key}')."); }
            long count = BinaryPrimitives.ReadInt64LittleEndian(header);
            long offset = stream.Position;
            if (count < 0 || count > (file.Length - offset) / storage.Type.ElementSize)
                throw new InvalidDataException($"{path}: storage '{key}' claims {count} elements of {storage.Type.DType}, more than the rest of the file holds ({file.Length - offset} bytes).");
            legacyStorages[key] = (offset, count);
            stream.Seek(count * storage.Type.ElementSize, SeekOrigin.Current);
        }
    }

    /// <summary>Elements the storage really holds, from the zip entry's declared size or the legacy header; no data is read.</summary>
    private long StorageLength(StorageRef storage)
    {
        if (zip is null)
            return legacyStorages.TryGetValue(storage.Key, out var s) ? s.Count
                : throw new InvalidDataException($"{path}: storage '{storage.Key}' is not in the file's storage list.");
        string name = zipPrefix + "data/" + storage.Key;
        if (!zipEntries.TryGetValue(name, out var entry)) throw new InvalidDataException($"{path}: storage entry '{name}' is missing.");
        long expected = checked(storage.Numel * storage.Type.ElementSize);
        if (entry.Length != expected)
            throw new InvalidDataException($"{path}: storage entry '{name}' declares {entry.Length} bytes; its persistent id says {storage.Numel} elements of {storage.Type.DType} ({expected} bytes).");
        return storage.Numel;
    }

    /// <summary>
    /// Checks a tensor against the storage it views (non-negative sizes and strides, no overflow, every
    /// element inside the storage) without reading any data. Returns its element count.
    /// </summary>
    public long Check(PendingTensor p, string what)
    {
        Exception Error(string problem) => new InvalidDataException($"{path}: {what} (storage '{p.Storage.Key}'): {problem}.");
        long numel = DeclaredTensor.ElementCount(p.Size, problem => Error($"size {problem}"));
        if (p.Stride.Length != p.Size.Length) throw Error($"size [{string.Join(", ", p.Size)}] and stride [{string.Join(", ", p.Stride)}] differ in length");
        if (numel == 0) return 0;
        if (p.Stride.Any(s => s < 0) || p.Offset < 0 || p.Storage.ViewOffset < 0) throw Error("a negative stride or offset");
        long length = StorageLength(p.Storage);
        try
        {
            long last = checked(p.Storage.ViewOffset + p.Offset);
            for (int d = 0; d < p.Size.Length; d++) last = checked(last + (p.Size[d] - 1) * p.Stride[d]);
            if (last >= length)
                throw Error($"size [{string.Join(", ", p.Size)}] stride [{string.Join(", ", p.Stride)}] offset {p.Storage.ViewOffset + p.Offset} reads element {last}, and the storage has {length}");
        }
        catch (OverflowException) { throw Error($"size [{string.Join(", ", p.Size)}] with stride [{string.Join(", ", p.Stride)}] overflows"); }
        return numel;
    }

    /// <summary>element [i0, i1, ...] = storage[offset + sum(i_d * stride_d)], copied into fresh contiguous memory.</summary>
    public Tensor Dense(PendingTensor p, string what)
    {
        long numel = Check(p, what);
        var dtype = p.Storage.Type.DType;
        if (numel == 0) return torch.empty(p.Size, dtype);
        // A stride-0 view of one element may claim gigabytes: the dense copy is charged before it is made.
        Charge(checked(numel * p.Storage.Type.ElementSize), $"{what} ([{string.Join(", ", p.Size)}] {dtype})");
        var storage = StorageTensor(p.Storage);
        using var view = storage.as_strided(p.Size, p.Stride, p.Storage.ViewOffset + p.Offset);
        // A contiguous view would share the storage with its siblings; every entry gets its own memory.
        return view.is_contiguous() ? view.clone() : view.contiguous();
    }

    private void Charge(long bytes, string what)
    {
        if (bytes <= cap - used) { used += bytes; return; }
        throw TensorLimitExceededException.Refusal(
            $"{path}: {what} needs {bytes:N0} bytes, and only {Math.Max(0, cap - used):N0} of the {cap:N0} allowed for this file are left (TensorReadLimits.MaxTotalBytes); nothing was allocated for it.",
            cap, bytes);
    }

    /// <summary>A 1-D tensor over a storage's raw little-endian elements, read once.</summary>
    private Tensor StorageTensor(StorageRef storage)
    {
        if (storages.TryGetValue(storage.Key, out var cached)) return cached;
        long numel = StorageLength(storage);
        byte[] bytes;
        if (zip is not null)
        {
            bytes = ReadEntry(zipEntries[zipPrefix + "data/" + storage.Key]);
        }
        else
        {
            var (offset, count) = legacyStorages[storage.Key];
            long size = count * storage.Type.ElementSize;
            Charge(size, $"storage '{storage.Key}'");
            if (size > Array.MaxLength) throw new InvalidDataException($"{path}: storage '{storage.Key}' holds {size:N0} bytes; storages above {Array.MaxLength:N0} bytes are not supported.");
            bytes = new byte[size];
            file.Position = offset;
            try { file.ReadExactly(bytes); }
            catch (EndOfStreamException) { throw new InvalidDataException($"{path}: truncated legacy checkpoint (data of storage '{storage.Key}')."); }
        }
        var t = torch.empty(new[] { numel }, storage.Type.DType);
        if (bytes.Length > 0) t.bytes = bytes;
        return storages[storage.Key] = t;
    }

    /// <summary>
    /// Replaces every tensor description in the object graph by a dense tensor, walking the containers
    /// with an explicit stack (a crafted file nests a million lists deep; recursion would overflow the
    /// thread's stack, which .NET cannot catch) and refusing nesting deeper than <see cref="TensorReadLimits.MaxDepth"/>.
    /// </summary>
    public object? MaterialiseAll()
    {
        var done = new Dictionary<PendingTensor, Tensor>(ReferenceEqualityComparer.Instance);
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var created = new List<Tensor>();
        var pending = new Stack<(object Container, int Depth)>();
        try
        {
            var root = Visit(Root, 0, "the root object");
            while (pending.Count > 0)
            {
                var (container, depth) = pending.Pop();
                if (depth > limits.MaxDepth)
                    throw TensorLimitExceededException.Refusal(
                        $"{path}: the pickled object nests containers deeper than {limits.MaxDepth} levels (TensorReadLimits.MaxDepth); no tensor checkpoint does.",
                        limits.MaxDepth, depth);
                switch (container)
                {
                    case object?[] tuple:
                        for (int i = 0; i < tuple.Length; i++) tuple[i] = Visit(tuple[i], depth, $"tuple item {i}");
                        break;
                    case List<object?> list:
                        for (int i = 0; i < list.Count; i++) list[i] = Visit(list[i], depth, $"list item {i}");
                        break;
                    case OrderedDictionary<object, object?> dict:
                        for (int i = 0; i < dict.Count; i++)
                        {
                            var (key, value) = dict.GetAt(i);
                            dict.SetAt(i, Visit(value, depth, $"entry {Describe(key)}"));
                        }
                        break;
                }
            }
            return root;
        }
        catch
        {
            foreach (var t in created) t.Dispose();
            throw;
        }

        object? Visit(object? o, int depth, string what)
        {
            switch (o)
            {
                case PendingTensor p:
                    if (!done.TryGetValue(p, out var t))
                    {
                        t = Dense(p, $"tensor at {what}");
                        done[p] = t;
                        created.Add(t);
                    }
                    return t;
                case StorageRef:
                    throw new InvalidDataException($"{path}: a bare storage outside a tensor ({what}) is not supported.");
                case object?[] or List<object?> or OrderedDictionary<object, object?> when visited.Add(o):
                    pending.Push((o, depth + 1));
                    return o;
                default:
                    return o;
            }
        }
    }

    /// <summary>('storage', storage type, key, location, numel[, view_metadata]); the 6th element only in the legacy format.</summary>
    private StorageRef ParsePersistentId(object? pid)
    {
        if (pid is not object?[] { Length: 5 or 6 } t || t[0] is not "storage")
            throw new InvalidDataException($"{path}: persistent id {Describe(pid)} is not a ('storage', type, key, location, numel) tuple.");
        if (t[1] is not PickleGlobal { Value: StorageType type })
            throw new InvalidDataException($"{path}: persistent id storage type {Describe(t[1])} is not a torch.*Storage type.");
        var key = t[2] as string ?? throw new InvalidDataException($"{path}: persistent id storage key {Describe(t[2])} is not a string.");
        if (t[4] is not long numel || numel < 0 || numel > long.MaxValue / type.ElementSize)
            throw new InvalidDataException($"{path}: storage '{key}' element count {Describe(t[4])} is not a non-negative integer that fits in memory.");
        long viewOffset = 0;
        if (t.Length == 6 && t[5] is not null)
        {
            // Legacy view_metadata (view_key, offset, view_size): a storage view inside a root storage.
            if (t[5] is not object?[] { Length: 3 } view || view[1] is not long off || off < 0)
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

    internal static string Describe(object? o) => o switch
    {
        null => "None",
        string s => $"'{s}'",
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        object?[] t => $"tuple of {t.Length}",
        PendingTensor => "tensor",
        _ => o.GetType().Name,
    };
}
