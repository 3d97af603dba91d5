using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SiteBackup.EntraStandIn;

/// <summary>
/// A local stand-in for the places a Microsoft Entra ID token comes from, for tests only, written from the
/// documented protocols:
/// <list type="bullet">
/// <item>the managed identity endpoint of Azure Automation, App Service and Functions (<c>IDENTITY_ENDPOINT</c>):
/// <c>GET /msi/token?api-version=2019-08-01&amp;resource=...</c> with the <c>X-IDENTITY-HEADER</c> secret (400 without
/// it, 401 with a wrong one);</item>
/// <item>the instance metadata endpoint of virtual machines: <c>GET /metadata/identity/oauth2/token?api-version=...&amp;resource=...</c>
/// with <c>Metadata: true</c> (400 without it), and the machine's <c>/metadata/instance/compute</c>; any other path
/// under <c>/metadata/</c> is answered 400, as by a machine whose endpoint lacks that API;</item>
/// <item>an Entra ID authority (HTTPS only, as clients require): instance discovery, the tenant's OpenID configuration,
/// and the v2.0 token endpoint for the client credentials grant (401 <c>invalid_client</c> for a wrong secret).</item>
/// </list>
/// Tokens are JWTs with the claims Azure Storage reads (<c>aud</c> the resource asked for, an <c>iss</c> of
/// sts.windows.net, <c>iat</c>, <c>nbf</c>, <c>exp</c>), unsigned, as Azurite's basic OAuth mode accepts them. Every
/// request is logged as one JSON line, with whether the secret it carried was right but never the secret itself.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    private const string Tenant = "72f988bf-0000-4000-8000-2d7cd011db47";
    private readonly WebApplication app;
    private readonly StandInOptions options;
    private readonly object logLock = new();

    public TokenServer(StandInOptions options, X509Certificate2 certificate)
    {
        this.options = options;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
        });
        app = builder.Build();
        app.Run(HandleAsync);
    }

    public string HttpBase { get; private set; } = "";
    public string HttpsBase { get; private set; } = "";

    public async Task StartAsync()
    {
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        HttpBase = addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)).TrimEnd('/');
        HttpsBase = addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal)).TrimEnd('/');
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string path = request.Path.Value ?? "";
        var entry = new JsonObject { ["method"] = request.Method, ["path"] = path, ["https"] = request.IsHttps };
        try
        {
            var (status, body) = await AnswerAsync(request, path, entry);
            entry["status"] = status;
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body.ToJsonString());
        }
        finally
        {
            Log(entry);
        }
    }

    private async Task<(int Status, JsonNode Body)> AnswerAsync(HttpRequest request, string path, JsonObject entry)
    {
        if (request.Method == "GET" && path == "/msi/token")
        {
            string? resource = request.Query["resource"];
            entry["resource"] = resource;
            entry["apiVersion"] = (string?)request.Query["api-version"];
            if (!request.Headers.TryGetValue("X-IDENTITY-HEADER", out var header))
                return (400, Error("invalid_request", "The X-IDENTITY-HEADER header is missing."));
            entry["identityHeaderRight"] = header.ToString() == options.IdentityHeader;
            if (header.ToString() != options.IdentityHeader) return (401, Error("unauthorized_client", "The X-IDENTITY-HEADER is wrong."));
            entry["clientId"] = (string?)request.Query["client_id"];
            if (request.Query["api-version"] != "2019-08-01") return (400, Error("invalid_request", "api-version 2019-08-01 is the one this endpoint serves"));
            if (string.IsNullOrEmpty(resource)) return (400, Error("invalid_request", "resource is required"));
            return (200, ManagedIdentityAnswer(resource, request.Query["client_id"]));
        }
        if (request.Method == "GET" && path == "/metadata/identity/oauth2/token")
        {
            string? resource = request.Query["resource"];
            entry["resource"] = resource;
            entry["apiVersion"] = (string?)request.Query["api-version"];
            entry["metadataHeader"] = request.Headers["Metadata"].ToString();
            if (request.Headers["Metadata"].ToString() != "true") return (400, Error("invalid_request", "Required metadata header not specified"));
            entry["clientId"] = (string?)request.Query["client_id"];
            if (string.IsNullOrEmpty(request.Query["api-version"])) return (400, Error("invalid_request", "api-version is required"));
            if (string.IsNullOrEmpty(resource)) return (400, Error("invalid_request", "resource is required"));
            return (200, ManagedIdentityAnswer(resource, request.Query["client_id"]));
        }
        if (request.Method == "GET" && path == "/metadata/instance/compute")
        {
            // What a client reads of the machine (its region), with the same header rule as the token.
            if (request.Headers["Metadata"].ToString() != "true") return (400, Error("invalid_request", "Required metadata header not specified"));
            return (200, new JsonObject { ["location"] = "westeurope", ["name"] = "standin-vm", ["vmId"] = "6e1a3fd4-0000-4000-8000-standinvm000" });
        }
        if (path.StartsWith("/metadata/", StringComparison.Ordinal))
        {
            // A machine whose metadata endpoint has no other API (no IMDSv2 credential endpoint, say) answers 400.
            return (400, Error("invalid_request", $"{path} is not an API of this metadata endpoint"));
        }
        if (!request.IsHttps) return (404, Error("not_found", $"{path} is not served over HTTP"));
        if (request.Method == "GET" && path == "/common/discovery/instance")
        {
            string host = request.Host.ToString();
            return (200, new JsonObject
            {
                ["tenant_discovery_endpoint"] = $"https://{host}/{Tenant}/v2.0/.well-known/openid-configuration",
                ["api-version"] = "1.1",
                ["metadata"] = new JsonArray(new JsonObject
                {
                    ["preferred_network"] = host, ["preferred_cache"] = host, ["aliases"] = new JsonArray(host),
                }),
            });
        }
        if (request.Method == "GET" && path.EndsWith("/v2.0/.well-known/openid-configuration", StringComparison.Ordinal))
        {
            string baseUri = $"https://{request.Host}/{path.Split('/')[1]}";
            return (200, new JsonObject
            {
                ["issuer"] = $"{baseUri}/v2.0",
                ["authorization_endpoint"] = $"{baseUri}/oauth2/v2.0/authorize",
                ["token_endpoint"] = $"{baseUri}/oauth2/v2.0/token",
                ["jwks_uri"] = $"https://{request.Host}/common/discovery/v2.0/keys",
                ["response_types_supported"] = new JsonArray("code", "id_token", "token"),
                ["subject_types_supported"] = new JsonArray("pairwise"),
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            });
        }
        if (request.Method == "POST" && path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            var form = await request.ReadFormAsync();
            entry["grantType"] = (string?)form["grant_type"];
            entry["scope"] = (string?)form["scope"];
            entry["clientId"] = (string?)form["client_id"];
            bool right = form["client_id"] == options.ClientId && form["client_secret"] == options.ClientSecret;
            entry["clientSecretRight"] = right;
            if (!right) return (401, Error("invalid_client", "AADSTS7000215: Invalid client secret provided."));
            return (200, new JsonObject
            {
                ["token_type"] = "Bearer",
                ["expires_in"] = (long)options.TokenLifetime.TotalSeconds,
                ["ext_expires_in"] = (long)options.TokenLifetime.TotalSeconds,
                ["access_token"] = Jwt(options.ClientId, ((string?)form["scope"] ?? "").Replace("/.default", "", StringComparison.Ordinal)),
            });
        }
        return (404, Error("not_found", $"{request.Method} {path} is not served here"));
    }

    private JsonObject ManagedIdentityAnswer(string resource, string? clientId)
    {
        var expires = DateTimeOffset.UtcNow + options.TokenLifetime;
        return new JsonObject
        {
            ["access_token"] = Jwt(clientId ?? "system-assigned", resource!),
            ["expires_on"] = expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["expires_in"] = ((long)options.TokenLifetime.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = clientId ?? "system-assigned",
        };
    }

    /// <summary>A token for <paramref name="audience"/> (the resource asked for, without a trailing slash): a token
    /// asked for the wrong resource is one Azure Storage refuses.</summary>
    private string Jwt(string subject, string audience)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string header = Base64Url("""{"alg":"RS256","typ":"JWT"}""");
        string payload = Base64Url(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["aud"] = audience.TrimEnd('/'), ["iss"] = $"https://sts.windows.net/{Tenant}/", ["iat"] = now, ["nbf"] = now - 60,
            ["exp"] = now + (long)options.TokenLifetime.TotalSeconds, ["sub"] = subject, ["appid"] = subject, ["tid"] = Tenant,
        }));
        return $"{header}.{payload}.{Base64Url("unsigned: for Azurite's basic OAuth mode only")}";
    }

    private static string Base64Url(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static JsonObject Error(string error, string description) => new() { ["error"] = error, ["error_description"] = description };

    private void Log(JsonObject entry)
    {
        if (options.LogPath is null) return;
        lock (logLock) File.AppendAllText(options.LogPath, entry.ToJsonString() + "\n");
    }
}
