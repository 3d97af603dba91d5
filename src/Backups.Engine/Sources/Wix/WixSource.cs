namespace SiteBackup.Engine.Sources.Wix;

/// <summary>A Wix site through the Wix Data REST API. It has no transactions: a backup reads each collection
/// page by page while the site lives on, and a restore writes item by item (see <see cref="WixRestore"/>).</summary>
internal sealed class WixSource(string siteId, string wixSiteId, string apiKey, bool includeApps, WixOptions options) : ISiteSource
{
    private WixClient? client;

    public string SiteId => siteId;

    /// <summary>One client for the site for as long as this source is used.</summary>
    private WixClient Client => client ??= new WixClient(siteId, wixSiteId, apiKey, options);

    public async Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken) =>
        (await BackedUpAsync(cancellationToken)).Select(c => new CollectionInfo(c.Id, c.DisplayName)).ToList();

    public async Task<ISiteSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken) =>
        new WixSnapshot(Client, await ListCollectionsAsync(cancellationToken));

    public async Task<ISiteRestore> BeginRestoreAsync(CancellationToken cancellationToken)
    {
        var all = await WixApi.ListCollectionsAsync(Client, cancellationToken);
        return new WixRestore(Client, all.Select(c => new CollectionInfo(c.Id, c.DisplayName)).ToList());
    }

    /// <summary>The collections a backup takes: the site's own, and the apps' ones when asked for.</summary>
    private async Task<List<WixCollection>> BackedUpAsync(CancellationToken cancellationToken) =>
        (await WixApi.ListCollectionsAsync(Client, cancellationToken))
            .Where(c => c.Type == "NATIVE" || (includeApps && c.Type is "WIX_APP" or "BLOCKS_APP"))
            .ToList();
}
