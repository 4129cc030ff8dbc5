using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Dsa.IO;

/// <summary>
/// A pickle virtual machine (protocols 0-5, the opcode set of CPython's pickle.py) that never runs
/// code: GLOBAL / STACK_GLOBAL / INST resolve only names on an allow-list supplied by the caller;
/// anything else is an <see cref="InvalidDataException"/> naming the file and the global. This is the
/// equivalent of torch.load(weights_only=True).
/// </summary>
/// <remarks>
/// Values: None -> null, bool, int -> long (BigInteger when it does not fit), float -> double,
/// str -> string, bytes/bytearray -> byte[], tuple -> object?[], list and set -> List&lt;object?&gt;,
/// dict -> OrderedDictionary&lt;object, object?&gt;. Allowed globals become <see cref="PickleGlobal"/>
/// values; calling one (REDUCE, NEWOBJ, OBJ, INST) runs the caller's C# implementation.
/// </remarks>
internal sealed class RestrictedUnpickler
{
    /// <summary>A resolved, allowed global (module.name) and its C# implementation.</summary>
    internal sealed record PickleGlobal(string Module, string Name, Func<object?[], object?>? Call, object? Value)
    {
        public string FullName => $"{Module}.{Name}";
    }

    private sealed class Mark { public static readonly Mark Instance = new(); }

    private readonly Stream _stream;
    private readonly string _file;
    private readonly Func<string, string, PickleGlobal?> _findGlobal;
    private readonly Func<object?, object?>? _persistentLoad;
    private List<object?> _stack = new();
    private readonly Stack<List<object?>> _metastack = new();
    private readonly Dictionary<long, object?> _memo = new();

    /// <param name="findGlobal">Returns the allowed global for (module, name), or null when it is not allowed.</param>
    /// <param name="persistentLoad">Resolves persistent ids (PyTorch storages); null rejects PERSID opcodes.</param>
    public RestrictedUnpickler(Stream stream, string fileForErrors, Func<string, string, PickleGlobal?> findGlobal, Func<object?, object?>? persistentLoad)
    {
        _stream = stream;
        _file = fileForErrors;
        _findGlobal = findGlobal;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Reads one pickle (up to and including its STOP opcode) and returns the object.</summary>
    public object? Load()
    {
        _stack = new List<object?>();
        _metastack.Clear();
        _memo.Clear();
        try
        {
            while (true)
            {
                long position = _stream.CanSeek ? _stream.Position : -1;
                int op = _stream.ReadByte();
                if (op < 0) throw Error("truncated pickle (no STOP opcode)");
                if (op == '.') return Pop();
                Step((byte)op, position);
            }
        }
        catch (EndOfStreamException) { throw Error("truncated pickle (data ended inside an opcode)"); }
        catch (InvalidCastException e) { throw Error($"malformed pickle: {e.Message}"); }
        catch (ArgumentOutOfRangeException e) { throw Error($"malformed pickle: {e.Message}"); }
    }

    private InvalidDataException Error(string message) =>
        new($"{_file}: {message}{(_stream.CanSeek ? $" (pickle byte offset {_stream.Position})" : "")}.");

    private void Step(byte op, long position)
    {
        switch (op)
        {
            // --- framing and protocol -------------------------------------------------------------
            case 0x80: ReadByte(); break;                                   // PROTO n
            case 0x95: ReadBytes(8); break;                                 // FRAME len (we read unframed)

            // --- stack manipulation ---------------------------------------------------------------
            case (byte)'(': _metastack.Push(_stack); _stack = new List<object?>(); break; // MARK
            case (byte)'0':                                                 // POP
                if (_stack.Count > 0) _stack.RemoveAt(_stack.Count - 1); else PopMark();
                break;
            case (byte)'1': PopMark(); break;                               // POP_MARK
            case (byte)'2': Push(Peek()); break;                            // DUP

            // --- memo -----------------------------------------------------------------------------
            case (byte)'p': _memo[ParseLong(ReadLine())] = Peek(); break;   // PUT
            case (byte)'q': _memo[ReadByte()] = Peek(); break;              // BINPUT
            case (byte)'r': _memo[ReadUInt32()] = Peek(); break;            // LONG_BINPUT
            case 0x94: _memo[_memo.Count] = Peek(); break;                  // MEMOIZE
            case (byte)'g': Push(MemoGet(ParseLong(ReadLine()))); break;    // GET
            case (byte)'h': Push(MemoGet(ReadByte())); break;               // BINGET
            case (byte)'j': Push(MemoGet(ReadUInt32())); break;             // LONG_BINGET

            // --- constants ------------------------------------------------------------------------
            case (byte)'N': Push(null); break;                              // NONE
            case 0x88: Push(true); break;                                   // NEWTRUE
            case 0x89: Push(false); break;                                  // NEWFALSE
            case (byte)'I':                                                 // INT (text; 00/01 are bools)
            {
                var s = ReadLine();
                if (s == "00") Push(false);
                else if (s == "01") Push(true);
                else Push(Normalize(ParseBig(s)));
                break;
            }
            case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
            case (byte)'K': Push((long)ReadByte()); break;                  // BININT1
            case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
            case (byte)'L': Push(Normalize(ParseBig(ReadLine().TrimEnd('L')))); break; // LONG (text)
            case 0x8a: Push(Normalize(new BigInteger(ReadBytes(ReadByte()), isUnsigned: false, isBigEndian: false))); break; // LONG1
            case 0x8b: Push(Normalize(new BigInteger(ReadBytes(ReadLength(ReadInt32())), isUnsigned: false, isBigEndian: false))); break; // LONG4
            case (byte)'F': Push(double.Parse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture)); break; // FLOAT
            case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT

            // --- strings and bytes ----------------------------------------------------------------
            // Python 2 str (STRING/BINSTRING/SHORT_BINSTRING) decodes like torch.load(encoding='utf-8').
            case (byte)'S': Push(Encoding.UTF8.GetString(UnquotePythonString(ReadLine()))); break;
            case (byte)'T': Push(Encoding.UTF8.GetString(ReadBytes(ReadLength(ReadInt32())))); break;
            case (byte)'U': Push(Encoding.UTF8.GetString(ReadBytes(ReadByte()))); break;
            case (byte)'V': Push(DecodeRawUnicodeEscape(Encoding.Latin1.GetString(ReadLineBytes()))); break; // UNICODE (raw-unicode-escape: latin-1 bytes + \u escapes)
            case (byte)'X': Push(Encoding.UTF8.GetString(ReadBytes(ReadLength(ReadUInt32())))); break; // BINUNICODE
            case 0x8c: Push(Encoding.UTF8.GetString(ReadBytes(ReadByte()))); break; // SHORT_BINUNICODE
            case 0x8d: Push(Encoding.UTF8.GetString(ReadBytes(ReadLength(ReadInt64())))); break; // BINUNICODE8
            case (byte)'B': Push(ReadBytes(ReadLength(ReadUInt32()))); break; // BINBYTES
            case (byte)'C': Push(ReadBytes(ReadByte())); break;             // SHORT_BINBYTES
            case 0x8e: Push(ReadBytes(ReadLength(ReadInt64()))); break;     // BINBYTES8
            case 0x96: Push(ReadBytes(ReadLength(ReadInt64()))); break;     // BYTEARRAY8
            case 0x97: case 0x98: throw Error("out-of-band pickle buffers (NEXT_BUFFER / READONLY_BUFFER) are not supported");

            // --- containers -----------------------------------------------------------------------
            case (byte)')': Push(Array.Empty<object?>()); break;            // EMPTY_TUPLE
            case (byte)'t': Push(PopMark().ToArray()); break;               // TUPLE
            case 0x85: Push(new[] { Pop() }); break;                        // TUPLE1
            case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
            case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
            case (byte)']': Push(new List<object?>()); break;               // EMPTY_LIST
            case (byte)'l': Push(PopMark()); break;                         // LIST
            case (byte)'a': { var v = Pop(); AsList(Peek(), "APPEND").Add(v); break; } // APPEND
            case (byte)'e': { var items = PopMark(); AsList(Peek(), "APPENDS").AddRange(items); break; } // APPENDS
            case (byte)'}': Push(new OrderedDictionary<object, object?>()); break; // EMPTY_DICT
            case (byte)'d':                                                 // DICT
            {
                var items = PopMark();
                var d = new OrderedDictionary<object, object?>();
                for (int i = 0; i + 1 < items.Count; i += 2) d[Key(items[i])] = items[i + 1];
                Push(d);
                break;
            }
            case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(Peek(), "SETITEM")[Key(k)] = v; break; } // SETITEM
            case (byte)'u':                                                 // SETITEMS
            {
                var items = PopMark();
                var d = AsDict(Peek(), "SETITEMS");
                for (int i = 0; i + 1 < items.Count; i += 2) d[Key(items[i])] = items[i + 1];
                break;
            }
            case 0x8f: Push(new List<object?>()); break;                    // EMPTY_SET (as a list)
            case 0x90: { var items = PopMark(); AsList(Peek(), "ADDITEMS").AddRange(items); break; } // ADDITEMS
            case 0x91: Push(PopMark()); break;                              // FROZENSET (as a list)

            // --- globals and object construction -------------------------------------------------
            case (byte)'c': { var module = ReadLine(); var name = ReadLine(); Push(FindGlobal(module, name)); break; } // GLOBAL
            case 0x93:                                                      // STACK_GLOBAL
            {
                var name = Pop() as string ?? throw Error("STACK_GLOBAL name is not a string");
                var module = Pop() as string ?? throw Error("STACK_GLOBAL module is not a string");
                Push(FindGlobal(module, name));
                break;
            }
            case 0x82: case 0x83: case 0x84:
                throw Error("pickle uses the copyreg extension registry (EXT1/EXT2/EXT4), which is not on the allow-list");
            case (byte)'R': { var args = AsTuple(Pop(), "REDUCE"); var f = Pop(); Push(Call(f, args)); break; } // REDUCE
            case 0x81: { var args = AsTuple(Pop(), "NEWOBJ"); var cls = Pop(); Push(Call(cls, args)); break; } // NEWOBJ
            case 0x92:                                                      // NEWOBJ_EX
            {
                var kwargs = Pop();
                var args = AsTuple(Pop(), "NEWOBJ_EX");
                var cls = Pop();
                if (kwargs is OrderedDictionary<object, object?> { Count: > 0 }) throw Error($"NEWOBJ_EX with keyword arguments for {Describe(cls)} is not supported");
                Push(Call(cls, args));
                break;
            }
            case (byte)'i':                                                 // INST
            {
                var module = ReadLine(); var name = ReadLine();
                var cls = FindGlobal(module, name);
                Push(Call(cls, PopMark().ToArray()));
                break;
            }
            case (byte)'o':                                                 // OBJ
            {
                var items = PopMark();
                if (items.Count == 0) throw Error("OBJ without a class");
                Push(Call(items[0], items.Skip(1).ToArray()));
                break;
            }
            // BUILD sets an object's __dict__ / state. The only use in state dicts is the
            // `_metadata` attribute of an OrderedDict (module versions), which carries no tensors;
            // the state is dropped, the object kept.
            case (byte)'b': Pop(); Peek(); break;

            // --- persistent ids (PyTorch storages) ------------------------------------------------
            case (byte)'P': Push(PersistentLoad(ReadLine())); break;        // PERSID
            case (byte)'Q': Push(PersistentLoad(Pop())); break;             // BINPERSID

            default:
                throw Error($"unknown pickle opcode 0x{op:x2} at byte offset {position}");
        }
    }

    private object? PersistentLoad(object? pid) =>
        _persistentLoad is null ? throw Error("pickle has a persistent id but the container provides no storages") : _persistentLoad(pid);

    private PickleGlobal FindGlobal(string module, string name) =>
        _findGlobal(module, name) ?? throw new InvalidDataException(
            $"{_file}: pickle global '{module}.{name}' is not on the allow-list of a weights-only checkpoint reader; refusing to load (no code is executed).");

    private object? Call(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal { Call: not null } g)
            throw Error($"pickle calls {Describe(callable)}, which is not an allowed callable");
        try { return g.Call(args); }
        catch (InvalidDataException e) { throw Error($"{g.FullName}: {e.Message}"); }
    }

    private static string Describe(object? o) => o switch
    {
        null => "None",
        PickleGlobal g => $"'{g.FullName}'",
        _ => o.GetType().Name,
    };

    private object? MemoGet(long key) => _memo.TryGetValue(key, out var v) ? v : throw Error($"memo key {key} was never stored");

    private void Push(object? o) => _stack.Add(o);

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Error("pickle stack underflow");

    private object? Pop()
    {
        if (_stack.Count == 0) throw Error("pickle stack underflow");
        var o = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        if (o is Mark) throw Error("unexpected MARK on the pickle stack");
        return o;
    }

    private List<object?> PopMark()
    {
        if (_metastack.Count == 0) throw Error("pickle has no MARK to pop to");
        var items = _stack;
        _stack = _metastack.Pop();
        return items;
    }

    private List<object?> AsList(object? o, string op) => o as List<object?> ?? throw Error($"{op} on {Describe(o)}, not a list");

    private OrderedDictionary<object, object?> AsDict(object? o, string op) =>
        o as OrderedDictionary<object, object?> ?? throw Error($"{op} on {Describe(o)}, not a dict");

    private object?[] AsTuple(object? o, string op) => o as object?[] ?? throw Error($"{op} arguments are {Describe(o)}, not a tuple");

    private object Key(object? k) => k ?? throw Error("dict key None is not supported");

    private int ReadByte()
    {
        int b = _stream.ReadByte();
        return b < 0 ? throw new EndOfStreamException() : b;
    }

    private byte[] ReadBytes(int n)
    {
        var buffer = new byte[n];
        _stream.ReadExactly(buffer);
        return buffer;
    }

    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));
    private int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
    private long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));

    /// <summary>Checks a length prefix against what the stream can still hold, so corrupt data cannot allocate gigabytes.</summary>
    private int ReadLength(long n)
    {
        long remaining = _stream.CanSeek ? _stream.Length - _stream.Position : int.MaxValue;
        if (n < 0 || n > remaining || n > int.MaxValue) throw Error($"length prefix {n} exceeds the remaining {remaining} bytes");
        return (int)n;
    }

    private string ReadLine() => Encoding.UTF8.GetString(ReadLineBytes());

    private byte[] ReadLineBytes()
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = ReadByte();
            if (b == '\n') break;
            bytes.Add((byte)b);
            if (bytes.Count > 1 << 20) throw Error("text line longer than 1 MiB");
        }
        if (bytes.Count > 0 && bytes[^1] == '\r') bytes.RemoveAt(bytes.Count - 1);
        return bytes.ToArray();
    }

    private long ParseLong(string s) =>
        long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"'{s}' is not an integer");

    private BigInteger ParseBig(string s) =>
        BigInteger.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"'{s}' is not an integer");

    private static object Normalize(BigInteger v) => v >= long.MinValue && v <= long.MaxValue ? (object)(long)v : v;

    /// <summary>Decodes the repr() of a Python 2 str as written by protocol 0 STRING.</summary>
    private byte[] UnquotePythonString(string s)
    {
        if (s.Length < 2 || s[0] != s[^1] || (s[0] != '\'' && s[0] != '"')) throw Error("STRING argument is not quoted");
        var body = s[1..^1];
        var result = new List<byte>();
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '\\' || i + 1 == body.Length) { result.AddRange(Encoding.UTF8.GetBytes(c.ToString())); continue; }
            char e = body[++i];
            switch (e)
            {
                case 'n': result.Add((byte)'\n'); break;
                case 't': result.Add((byte)'\t'); break;
                case 'r': result.Add((byte)'\r'); break;
                case '\\': case '\'': case '"': result.Add((byte)e); break;
                case 'x' when i + 2 < body.Length:
                    result.Add(byte.Parse(body.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                default: result.Add((byte)'\\'); result.Add((byte)e); break;
            }
        }
        return result.ToArray();
    }

    /// <summary>Python's raw-unicode-escape: only \uXXXX and \UXXXXXXXX are escapes.</summary>
    private static string DecodeRawUnicodeEscape(string s)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 5 < s.Length && s[i + 1] == 'u')
            {
                sb.Append((char)int.Parse(s.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 5;
            }
            else if (s[i] == '\\' && i + 9 < s.Length && s[i + 1] == 'U')
            {
                sb.Append(char.ConvertFromUtf32(int.Parse(s.AsSpan(i + 2, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
                i += 9;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
