using System.Security.Cryptography;
using System.Text;

namespace Dsa.Kernel;

/// <summary>
/// Jupyter message authentication: the signature frame is the lowercase hex HMAC of the header,
/// parent header, metadata and content frames in that order, with the connection file's key and
/// signature_scheme ("hmac-sha256" by default). An empty key means messages are not signed (the
/// signature frame is empty and not checked). Thread-safe: the static HashData methods keep no state.
/// </summary>
public sealed class MessageSigner
{
    private readonly byte[] key;
    private readonly Func<byte[], byte[], byte[]> hmac;

    public MessageSigner(string key, string signatureScheme, string source = "connection")
    {
        this.key = Encoding.UTF8.GetBytes(key);
        hmac = signatureScheme switch
        {
            "hmac-sha256" => HMACSHA256.HashData,
            "hmac-sha384" => HMACSHA384.HashData,
            "hmac-sha512" => HMACSHA512.HashData,
            "hmac-sha1" => HMACSHA1.HashData,
            _ => throw new InvalidDataException($"{source}: signature_scheme '{signatureScheme}' is not supported (hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha1)."),
        };
    }

    public bool Signs => key.Length > 0;

    /// <summary>The signature frame for the four JSON frames (empty when there is no key).</summary>
    public string Sign(byte[] header, byte[] parentHeader, byte[] metadata, byte[] content) =>
        Signs ? Convert.ToHexStringLower(hmac(key, [.. header, .. parentHeader, .. metadata, .. content])) : "";

    /// <summary>True when <paramref name="signature"/> is the right one (compared in constant time); always true without a key.</summary>
    public bool Verify(string signature, byte[] header, byte[] parentHeader, byte[] metadata, byte[] content)
    {
        if (!Signs) return true;
        var expected = Encoding.ASCII.GetBytes(Sign(header, parentHeader, metadata, content));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature.ToLowerInvariant()));
    }
}
