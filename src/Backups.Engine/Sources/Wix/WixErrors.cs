using System.Net;
using System.Text.Json;
using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>Wix Data API answers as engine errors. Wix errors are <c>{"message", "details": {"applicationError":
/// {"code", "description"}}}</c>; the message is passed on, the API key never.</summary>
internal static class WixErrors
{
    public static BackupException FromResponse(HttpStatusCode status, byte[] body, string siteId, string? collectionId, int attempts)
    {
        string detail = Describe(body);
        return status switch
        {
            HttpStatusCode.Unauthorized => new BackupException(BackupError.AuthenticationFailed,
                $"Wix refused the API key for '{siteId}'{detail}.", siteId),
            HttpStatusCode.Forbidden => new BackupException(BackupError.AuthenticationFailed,
                $"Wix denied access to '{siteId}': the API key has no permission for this site, or the site id is wrong{detail}.", siteId),
            HttpStatusCode.NotFound when collectionId is not null => new BackupException(BackupError.CollectionNotFound,
                $"The Wix site '{siteId}' has no collection '{collectionId}'{detail}.", collectionId),
            HttpStatusCode.NotFound => new BackupException(BackupError.SiteNotFound, $"Wix knows no site '{siteId}'{detail}.", siteId),
            HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError => new BackupException(BackupError.SiteUnreachable,
                $"The Wix Data API still answered {(int)status} for '{siteId}' after {attempts} attempts{detail}.", siteId),
            _ => new BackupException(BackupError.InvalidArgument, $"The Wix Data API refused a request for '{siteId}' ({(int)status}){detail}.", collectionId ?? siteId),
        };
    }

    private static string Describe(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            string? code = root.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object
                && d.TryGetProperty("applicationError", out var a) && a.ValueKind == JsonValueKind.Object
                && a.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            return message is null && code is null ? "" : $": {message}{(code is null ? "" : $" ({code})")}";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
