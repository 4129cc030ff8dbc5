using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dsa.Kernel;

/// <summary>
/// A Jupyter connection file: where the kernel binds its five sockets and the key that signs every
/// message (https://jupyter-client.readthedocs.io, "connection files"). The front end writes it and
/// starts the kernel with its path (kernel.json's {connection_file}).
/// </summary>
public sealed record KernelConnection(
    string Transport, string Ip, int ShellPort, int IopubPort, int StdinPort, int ControlPort, int HeartbeatPort,
    string Key, string SignatureScheme)
{
    /// <summary>
    /// Reads and checks a connection file. The kernel runs arbitrary code for whoever can send it a
    /// signed message, so it binds to loopback only: an <c>ip</c> that is not a loopback address
    /// (0.0.0.0, a LAN address) is refused with an error rather than silently rebound, because the
    /// front end would then try to connect where the kernel is not listening.
    /// </summary>
    public static KernelConnection Read(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"connection file {path}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"connection file {path}: malformed JSON ({e.Message}).", e);
        }
        string transport = Text(json, "transport", path, "tcp");
        if (transport != "tcp")
            throw new InvalidDataException($"connection file {path}: field 'transport' is '{transport}'; the DSA kernel speaks tcp only.");
        string ip = Text(json, "ip", path, "127.0.0.1");
        if (!IsLoopback(ip))
            throw new InvalidDataException($"connection file {path}: field 'ip' is '{ip}', which is not a loopback address; the DSA kernel binds to loopback only (127.0.0.1, ::1 or localhost) because anyone who can reach it can run code.");
        string scheme = Text(json, "signature_scheme", path, "hmac-sha256");
        string key = Text(json, "key", path, "");
        _ = new MessageSigner(key, scheme, path); // checks the scheme now, with the file's name in the message
        return new KernelConnection(transport, ip == "localhost" ? "127.0.0.1" : ip,
            Port(json, "shell_port", path), Port(json, "iopub_port", path), Port(json, "stdin_port", path),
            Port(json, "control_port", path), Port(json, "hb_port", path), key, scheme);
    }

    /// <summary>The endpoint string NetMQ binds, e.g. tcp://127.0.0.1:5555 (IPv6 in brackets).</summary>
    public string Endpoint(int port) => Ip.Contains(':') ? $"{Transport}://[{Ip}]:{port}" : $"{Transport}://{Ip}:{port}";

    public static bool IsLoopback(string ip) =>
        ip == "localhost" || (IPAddress.TryParse(ip, out var address) && IPAddress.IsLoopback(address));

    private static string Text(JsonObject json, string field, string path, string fallback)
    {
        if (json[field] is not { } node) return fallback;
        return node.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>()
            : throw new InvalidDataException($"connection file {path}: field '{field}' must be a string.");
    }

    private static int Port(JsonObject json, string field, string path)
    {
        if (json[field] is not { } node || node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue(out int port))
            throw new InvalidDataException($"connection file {path}: field '{field}' is missing or not an integer port.");
        if (port is < 1 or > 65535)
            throw new InvalidDataException($"connection file {path}: field '{field}' is {port}; a port in 1..65535 is required.");
        return port;
    }
}
