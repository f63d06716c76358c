using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Admin;

/// <summary>An Admin API key and what it may do.</summary>
internal sealed record AdminKey(string Name, string Key, bool IsViewer);

/// <summary>
/// APISIX's Admin API checks: the client address must be in <c>allow_admin</c>, and the key
/// (query <c>api_key</c>, else header <c>X-API-KEY</c>, else cookie <c>X-API-KEY</c>) must match one
/// configured key, compared in constant time; a viewer key may only read.
/// </summary>
/// <param name="allowAdmin">Client networks allowed: null allows every address (<c>allow_admin: null</c>), an empty list none.</param>
internal sealed class AdminAuthenticator(IReadOnlyList<AdminKey> keys, IReadOnlyList<IPNetwork>? allowAdmin, bool keyRequired)
{
    private readonly (byte[] Key, AdminKey Entry)[] _keys = keys.Select(k => (SHA256.HashData(Encoding.UTF8.GetBytes(k.Key)), k)).ToArray();

    public bool IsAllowedClient(IPAddress? remote)
    {
        if (allowAdmin is null)
        {
            return true;
        }

        if (remote is null)
        {
            return false;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        foreach (var network in allowAdmin)
        {
            if (network.Contains(remote))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns null when the request may go on, else APISIX's <c>description</c> for the 401.</summary>
    public string? Check(HttpRequest request)
    {
        if (!keyRequired || _keys.Length == 0)
        {
            return null;
        }

        string? token = request.Query["api_key"];
        if (string.IsNullOrEmpty(token))
        {
            token = request.Headers["X-API-KEY"];
        }

        if (string.IsNullOrEmpty(token))
        {
            token = request.Cookies["X-API-KEY"];
        }

        if (string.IsNullOrEmpty(token))
        {
            return "missing apikey";
        }

        // Hashing first makes both sides the same length, so not even the key length leaks.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        AdminKey? match = null;
        foreach (var (key, entry) in _keys)
        {
            // Compare against every key so the time taken does not reveal which one came closest.
            if (CryptographicOperations.FixedTimeEquals(presented, key))
            {
                match ??= entry;
            }
        }

        if (match is null)
        {
            return "wrong apikey";
        }

        if (match.IsViewer && !HttpMethods.IsGet(request.Method))
        {
            return "invalid method for role viewer";
        }

        return null;
    }
}
