namespace SiteBackup.Engine.Sources;

/// <summary>A collection as a site reports it.</summary>
public sealed record CollectionInfo(string Id, string DisplayName);
