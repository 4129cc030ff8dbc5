using System.Text.Json;

namespace Dsa.Data.Formats;

/// <summary>
/// Field access for PoseTrack JSON with errors that name the file, the record and the field.
/// PoseTrack 2017 files wrap most scalars in 1-element arrays (a MATLAB export artefact:
/// "x": [12.5]); poseval indexes [0], so both the wrapped and the bare form are accepted.
/// </summary>
internal readonly struct PoseTrackJson
{
    private readonly string _file;

    public PoseTrackJson(string file) => _file = file;

    public string File => _file;

    public InvalidDataException Error(string record, string field, string problem) =>
        new($"{_file}: {record}: field '{field}' {problem}");

    public InvalidDataException Error(string record, string problem) => new($"{_file}: {record}: {problem}");

    /// <summary>Parses the whole file; truncated or otherwise invalid JSON names the position.</summary>
    public static JsonDocument Parse(string path) => Parse(System.IO.File.ReadAllBytes(path), path);

    /// <summary>Parses a file's bytes, read once by the caller; <paramref name="path"/> names it in errors.</summary>
    public static JsonDocument Parse(byte[] bytes, string path)
    {
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            // A bare NaN / Infinity (as Python's json.dump writes them) is not JSON either.
            throw new InvalidDataException(
                $"{path}: not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1} " +
                $"(truncated file, or a bare NaN/Infinity?): {ex.Message}", ex);
        }
    }

    /// <summary>The property's value with a 1-element array unwrapped; false when absent or null.</summary>
    public bool TryScalar(JsonElement obj, string record, string field, out JsonElement value)
    {
        value = default;
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(field, out var raw) || raw.ValueKind == JsonValueKind.Null)
            return false;
        if (raw.ValueKind == JsonValueKind.Array)
        {
            int n = raw.GetArrayLength();
            if (n != 1) throw Error(record, field, $"must be a value or a 1-element array, got an array of {n}");
            raw = raw[0];
            if (raw.ValueKind == JsonValueKind.Null) return false;
        }
        value = raw;
        return true;
    }

    public JsonElement RequireObject(JsonElement element, string record)
    {
        if (element.ValueKind != JsonValueKind.Object) throw Error(record, $"must be a JSON object, got {element.ValueKind}");
        return element;
    }

    /// <summary>The property as an array; false when absent or null; error when of another type.</summary>
    public bool TryArray(JsonElement obj, string record, string field, out JsonElement array)
    {
        array = default;
        if (!obj.TryGetProperty(field, out var raw) || raw.ValueKind == JsonValueKind.Null) return false;
        if (raw.ValueKind != JsonValueKind.Array) throw Error(record, field, $"must be an array, got {raw.ValueKind}");
        array = raw;
        return true;
    }

    public JsonElement RequireArray(JsonElement obj, string record, string field) =>
        TryArray(obj, record, field, out var a) ? a : throw Error(record, field, "is missing");

    public double Number(JsonElement value, string record, string field)
    {
        if (value.ValueKind != JsonValueKind.Number)
            throw Error(record, field, $"must be a number, got {Describe(value)}");
        double d = value.GetDouble();
        if (!double.IsFinite(d)) throw Error(record, field, $"must be finite, got {d}");
        return d;
    }

    public double RequireNumber(JsonElement obj, string record, string field) =>
        TryScalar(obj, record, field, out var v) ? Number(v, record, field) : throw Error(record, field, "is missing");

    public double? OptionalNumber(JsonElement obj, string record, string field) =>
        TryScalar(obj, record, field, out var v) ? Number(v, record, field) : null;

    public long Integer(JsonElement value, string record, string field)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out long l)) return l;
            double d = value.GetDouble();
            if (double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
        }
        throw Error(record, field, $"must be an integer, got {Describe(value)}");
    }

    public long RequireInteger(JsonElement obj, string record, string field) =>
        TryScalar(obj, record, field, out var v) ? Integer(v, record, field) : throw Error(record, field, "is missing");

    public long? OptionalInteger(JsonElement obj, string record, string field) =>
        TryScalar(obj, record, field, out var v) ? Integer(v, record, field) : null;

    public int ToInt(long value, string record, string field) =>
        value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Error(record, field, $"is out of range: {value}");

    /// <summary>A flag written as true/false, 0/1 or "0"/"1".</summary>
    public bool? OptionalFlag(JsonElement obj, string record, string field)
    {
        if (!TryScalar(obj, record, field, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => Number(v, record, field) != 0,
            JsonValueKind.String when double.TryParse(v.GetString(), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out double d) => d != 0,
            _ => throw Error(record, field, $"must be a flag (true/false or 0/1), got {Describe(v)}"),
        };
    }

    public string RequireString(JsonElement obj, string record, string field)
    {
        if (!TryScalar(obj, record, field, out var v)) throw Error(record, field, "is missing");
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Error(record, field, $"must be a string, got {Describe(v)}");
    }

    /// <summary>A fixed-length array of finite numbers (a bbox, a keypoint list).</summary>
    public double[] NumberArray(JsonElement obj, string record, string field, int? length = null)
    {
        var a = RequireArray(obj, record, field);
        int n = a.GetArrayLength();
        if (length is int want && n != want) throw Error(record, field, $"must have {want} values, got {n}");
        var result = new double[n];
        int i = 0;
        foreach (var e in a.EnumerateArray())
        {
            result[i] = Number(e, record, $"{field}[{i}]");
            i++;
        }
        return result;
    }

    /// <summary>An [x, y, w, h] box; negative sizes are malformed.</summary>
    public Box? OptionalXywhBox(JsonElement obj, string record, string field)
    {
        if (!obj.TryGetProperty(field, out var raw) || raw.ValueKind == JsonValueKind.Null) return null;
        var v = NumberArray(obj, record, field, 4);
        if (v[2] < 0 || v[3] < 0) throw Error(record, field, $"has a negative size (w {v[2]}, h {v[3]})");
        return Box.FromXywh(v[0], v[1], v[2], v[3]);
    }

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(v.GetString()!)}\"",
        JsonValueKind.Array => $"an array of {v.GetArrayLength()}",
        JsonValueKind.Object => "an object",
        _ => v.ValueKind.ToString(),
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
