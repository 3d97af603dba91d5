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
            var targets = start.Targets.Select(t => (t.Source.Id, t.Destination)).ToList();
            var definitions = WixDefinitions.Parse(start.Definitions);
            WixRestore.CheckWritable(site, targets, definitions, siteId);
            return new WixRestore(client, site, targets, definitions);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Refuses a restore into collections that do not allow what it does, as <see cref="BeginRestoreAsync"/>
    /// will (for -WhatIf and the confirmation prompt).</summary>
    public async Task CheckRestoreAsync(RestoreStart start, CancellationToken cancellationToken)
    {
        using var client = NewClient();
        WixRestore.CheckWritable(await WixApi.ListCollectionsAsync(client, cancellationToken),
            start.Targets.Select(t => (t.Source.Id, t.Destination)).ToList(), WixDefinitions.Parse(start.Definitions), siteId);
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
            .Concat(site.Where(c => Taken(c) && c.Allows("FIND") && c.MultiReferences.Count > 0 && !c.Allows("QUERY_REFERENCED")).Select(c => new Model.Omission(c.Id,
                $"the references in its multi-reference field(s) {string.Join(", ", c.MultiReferences.Select(r => $"'{r.Field}'"))}: its capabilities allow no QUERY_REFERENCED, so Wix lets nothing read them (its items are kept)")))
            .Concat(site.Where(c => Taken(c) && c.Allows("FIND")).Select(c => (c, Missing: NotWritable(c))).Where(x => x.Missing.Count > 0).Select(x => new Model.Omission(x.c.Id,
                $"a restore into it: its items are in the backup, but its capabilities allow no {string.Join(", ", x.Missing)}, so Wix lets no restore write them back into it (restore them into another collection with -Destination)")))
            .ToList();

    /// <summary>What a restore into <paramref name="c"/> needs that its capabilities do not allow, as
    /// <see cref="WixRestore.CheckWritable"/> will find it.</summary>
    private static List<string> NotWritable(WixCollection c) =>
        WixRestore.Needed(c.MultiReferences.Count > 0).Where(op => !c.Allows(op)).ToList();
}
