namespace SiteBackup.Engine.Sources.Wix;

/// <summary>A Wix site through the Wix Data REST API. It has no transactions: a backup reads each collection
/// page by page while the site lives on, and a restore writes item by item (see <see cref="WixRestore"/>). Each
/// snapshot and restore owns one client for the site (and its pace) for its whole run, and disposes it.</summary>
internal sealed class WixSource(string siteId, string wixSiteId, string apiKey, bool includeApps, WixOptions options) : ISiteSource
{
    public string SiteId => siteId;

    private WixClient NewClient() => new(siteId, wixSiteId, apiKey, options);

    public async Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        using var client = NewClient();
        return await BackedUpAsync(client, cancellationToken);
    }

    public async Task<IReadOnlyList<CollectionInfo>> ListRestorableCollectionsAsync(CancellationToken cancellationToken)
    {
        using var client = NewClient();
        return await AllAsync(client, cancellationToken);
    }

    public async Task<ISiteSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var client = NewClient();
        try
        {
            return new WixSnapshot(client, await BackedUpAsync(client, cancellationToken));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async Task<ISiteRestore> BeginRestoreAsync(RestoreStart start, CancellationToken cancellationToken)
    {
        var client = NewClient();
        try
        {
            return new WixRestore(client, await AllAsync(client, cancellationToken));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The collections a restore may write into: any the site has, app collections included.</summary>
    private static async Task<IReadOnlyList<CollectionInfo>> AllAsync(WixClient client, CancellationToken cancellationToken) =>
        (await WixApi.ListCollectionsAsync(client, cancellationToken)).Select(c => new CollectionInfo(c.Id, c.DisplayName)).ToList();

    /// <summary>The collections a backup takes: the site's own, and the apps' ones when asked for.</summary>
    private async Task<IReadOnlyList<CollectionInfo>> BackedUpAsync(WixClient client, CancellationToken cancellationToken) =>
        (await WixApi.ListCollectionsAsync(client, cancellationToken))
            .Where(c => c.Type == "NATIVE" || (includeApps && c.Type is "WIX_APP" or "BLOCKS_APP"))
            .Select(c => new CollectionInfo(c.Id, c.DisplayName))
            .ToList();
}
