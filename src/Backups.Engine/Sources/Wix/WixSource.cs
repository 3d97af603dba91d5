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
        return BackedUp(await WixApi.ListCollectionsAsync(client, cancellationToken)).Select(c => c.Info).ToList();
    }

    /// <summary>The collections a restore may write into: any the site has, app collections included.</summary>
    public async Task<IReadOnlyList<CollectionInfo>> ListRestorableCollectionsAsync(CancellationToken cancellationToken)
    {
        using var client = NewClient();
        return (await WixApi.ListCollectionsAsync(client, cancellationToken)).Select(c => c.Info).ToList();
    }

    public async Task<ISiteSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var client = NewClient();
        try
        {
            var site = await WixApi.ListCollectionsAsync(client, cancellationToken);
            return new WixSnapshot(client, BackedUp(site), Omissions(site));
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
            var site = await WixApi.ListCollectionsAsync(client, cancellationToken);
            WixRestore.CheckWritable(site, start.Targets.Select(t => t.Destination), siteId);
            return new WixRestore(client, site);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The collections a backup takes: the site's own, and the apps' ones when asked for, that allow a query.</summary>
    private List<WixCollection> BackedUp(IReadOnlyList<WixCollection> site) =>
        site.Where(c => Taken(c) && c.Allows("FIND")).ToList();

    private bool Taken(WixCollection c) => c.Type == "NATIVE" || (includeApps && c.Type is "WIX_APP" or "BLOCKS_APP");

    /// <summary>What of the site a backup cannot take, and why: an external database's collections, and collections
    /// whose capabilities allow no query. (Apps' collections left out by choice are no omission: the site string says
    /// so.)</summary>
    private List<Model.Omission> Omissions(IReadOnlyList<WixCollection> site) =>
        site.Where(c => c.Type == "EXTERNAL").Select(c => new Model.Omission(c.Id,
                "an EXTERNAL collection lives in another database that Wix only proxies; back up that database itself"))
            .Concat(site.Where(c => Taken(c) && !c.Allows("FIND")).Select(c => new Model.Omission(c.Id,
                "its capabilities allow no query (FIND is not among its dataOperations), so Wix lets nothing read its items")))
            .ToList();
}
