using System.Text.Json.Serialization;
using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Model;
using SiteBackup.Engine.Retention;

namespace SiteBackup.Engine;

/// <summary>How the engine writes its own JSON documents (manifests, records, settings): camelCase, enums as
/// names, dates as ISO 8601. Items are not written through this; see <see cref="Archive.ItemWriter"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ArchiveManifest))]
[JsonSerializable(typeof(BackupRecord))]
[JsonSerializable(typeof(RestorationRecord))]
[JsonSerializable(typeof(RetentionPolicy))]
internal sealed partial class EngineJson : JsonSerializerContext;
