using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dsa.Kernel;

/// <summary>
/// One message of the Jupyter messaging protocol (version 5.3). On the wire (ZeroMQ multipart):
/// the routing identities, the delimiter "&lt;IDS|MSG&gt;", the HMAC signature, then the header,
/// parent header, metadata and content as UTF-8 JSON, then optional binary buffers.
/// </summary>
public sealed record JupyterMessage(
    IReadOnlyList<byte[]> Identities, JsonObject Header, JsonObject ParentHeader, JsonObject Metadata, JsonObject Content,
    IReadOnlyList<byte[]> Buffers)
{
    public const string ProtocolVersion = "5.3";
    public static readonly byte[] Delimiter = Encoding.ASCII.GetBytes("<IDS|MSG>");

    public string MessageType => (string?)Header["msg_type"] ?? "";

    public string MessageId => (string?)Header["msg_id"] ?? "";

    /// <summary>The signature frame it arrived with (empty for messages created here or on an unsigned connection).</summary>
    public string Signature { get; init; } = "";

    /// <summary>A new message in reply to (or caused by) <paramref name="parent"/>: its header becomes the parent header.</summary>
    public static JupyterMessage Create(string messageType, JsonObject content, JupyterMessage? parent, string session, IReadOnlyList<byte[]>? identities = null) =>
        new(identities ?? [], NewHeader(messageType, session),
            parent is null ? new JsonObject() : (JsonObject)parent.Header.DeepClone(), new JsonObject(), content, []);

    public static JsonObject NewHeader(string messageType, string session) => new()
    {
        ["msg_id"] = Guid.NewGuid().ToString(),
        ["session"] = session,
        ["username"] = "kernel",
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        ["msg_type"] = messageType,
        ["version"] = ProtocolVersion,
    };

    /// <summary>The frames to send, signed with <paramref name="signer"/>.</summary>
    public List<byte[]> ToFrames(MessageSigner signer)
    {
        byte[] header = Json(Header), parent = Json(ParentHeader), metadata = Json(Metadata), content = Json(Content);
        var frames = new List<byte[]>(Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(header, parent, metadata, content)));
        frames.AddRange([header, parent, metadata, content]);
        frames.AddRange(Buffers);
        return frames;
    }

    /// <summary>
    /// Parses received frames. Throws <see cref="InvalidDataException"/> naming <paramref name="channel"/>
    /// and the problem when the frames are malformed or the signature does not match: such a message
    /// must be dropped and logged, never executed.
    /// </summary>
    public static JupyterMessage Parse(IReadOnlyList<byte[]> frames, MessageSigner signer, string channel)
    {
        int delimiter = -1;
        for (int i = 0; i < frames.Count; i++)
            if (frames[i].AsSpan().SequenceEqual(Delimiter)) { delimiter = i; break; }
        if (delimiter < 0 || frames.Count < delimiter + 6)
            throw new InvalidDataException($"{channel} message: no <IDS|MSG> delimiter followed by signature, header, parent_header, metadata and content ({frames.Count} frames).");
        string signature = Encoding.ASCII.GetString(frames[delimiter + 1]);
        byte[] header = frames[delimiter + 2], parent = frames[delimiter + 3], metadata = frames[delimiter + 4], content = frames[delimiter + 5];
        if (!signer.Verify(signature, header, parent, metadata, content))
            throw new InvalidDataException($"{channel} message: invalid signature (HMAC mismatch); the message was dropped.");
        return new JupyterMessage(
            frames.Take(delimiter).ToList(),
            Object(header, channel, "header"), Object(parent, channel, "parent_header"),
            Object(metadata, channel, "metadata"), Object(content, channel, "content"),
            frames.Skip(delimiter + 6).ToList()) { Signature = signature };
    }

    // Relaxed escaping: HTML outputs (a chart carries 3.6 MB of plotly.js) go out as they are instead
    // of with every '<' as \u003C; the bytes are still valid JSON and are what the signature covers.
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] Json(JsonObject json) => Encoding.UTF8.GetBytes(json.ToJsonString(Compact));

    private static JsonObject Object(byte[] frame, string channel, string field)
    {
        try
        {
            return JsonNode.Parse(frame) as JsonObject ?? throw new InvalidDataException($"{channel} message: field '{field}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{channel} message: field '{field}' is malformed JSON ({e.Message}).", e);
        }
    }
}
