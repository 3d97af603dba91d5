using SiteBackup.Engine.Errors;

namespace SiteBackup.Engine.Sources.Wix;

/// <summary>
/// Writes the multi-references of a Wix restore. Wix keeps references apart from items, and emptying a collection
/// clears every reference to it and from it, so a reference is written only once both its collections are done: its
/// referring collection written (or left out of the restore) and its referenced one written (or left out of the
/// restore). Each collection is emptied once, just before it is written, so nothing written is cleared again. The
/// references come from the archive (the restored items' own), and from collections the restore leaves alone that
/// refer to a restored one: those are read before anything is emptied (<see cref="ReadKeptAsync"/>) and written back
/// once their referenced collection is, except the other side of a two-way relation a restored collection holds (the
/// backup's side says what that relation was). A restore that stops leaves some unwritten: <see cref="Unwritten"/>
/// names them.
/// </summary>
internal sealed class WixReferenceWriter(WixClient client, IReadOnlyList<WixCollection> site, List<RefusedItem> refused)
{
    /// <summary>A reference to write into <paramref name="Collection"/>, whose field refers to items of
    /// <paramref name="Target"/>; <paramref name="Kept"/> for one read from a collection outside the restore.</summary>
    private sealed record Pending(string Collection, WixReference Reference, string Target, bool Kept);

    private readonly HashSet<string> restored = new(StringComparer.Ordinal);
    private readonly HashSet<string> written = new(StringComparer.Ordinal);
    private readonly List<Pending> pending = [];
    private readonly List<string> warnings = [];

    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>Reads what collections outside the restore hold to the collections it will empty; names in a warning
    /// what cannot be read and written back.</summary>
    public async Task ReadKeptAsync(IReadOnlyList<string> collectionIds, CancellationToken cancellationToken)
    {
        restored.UnionWith(collectionIds);
        foreach (var outside in site.Where(c => !restored.Contains(c.Id)))
        {
            var fields = outside.MultiReferences
                .Where(f => restored.Contains(f.Referenced) && !site.Any(r => restored.Contains(r.Id) && r.Id == f.Referenced && r.IsOtherSide(outside, f)))
                .ToList();
            if (fields.Count == 0) continue;
            if (!outside.Allows("FIND") || !outside.Allows("QUERY_REFERENCED") || !outside.Allows("INSERT_REFERENCE"))
            {
                warnings.Add($"Emptying {string.Join(", ", fields.Select(f => $"'{f.Referenced}'").Distinct())} clears the references '{outside.Id}' holds to it in {string.Join(", ", fields.Select(f => $"'{f.Field}'"))}, and the capabilities of '{outside.Id}' do not let them be read and written back.");
                continue;
            }
            await WixReader.ReadAsync(client, outside, async page =>
            {
                var ids = page.Select(WixJson.ItemId).OfType<string>().ToList();
                foreach (var field in fields)
                    foreach (var (item, referenced) in await WixReader.ReferencesAsync(client, outside, ids, field.Field, cancellationToken))
                        foreach (string id in referenced)
                            pending.Add(new Pending(outside.Id, new WixReference(field.Field, item, id), field.Referenced, Kept: true));
            }, cancellationToken);
        }
    }

    /// <summary>A reference of a restored item, from the archive.</summary>
    public void Add(string collectionId, WixReference reference, string target) =>
        pending.Add(new Pending(collectionId, reference, target, Kept: false));

    /// <summary>Marks <paramref name="collectionId"/> written, and writes every reference that can be written now.</summary>
    public async Task WrittenAsync(string collectionId, CancellationToken cancellationToken)
    {
        written.Add(collectionId);
        var ready = pending.Where(p => (p.Kept || written.Contains(p.Collection)) && (written.Contains(p.Target) || !restored.Contains(p.Target))).ToList();
        foreach (var group in ready.GroupBy(p => p.Collection))
            await InsertAsync(group.Key, group.ToList(), cancellationToken);
    }

    /// <summary>
    /// Inserts references, at most a bulk call's worth a call, split further where Wix answers 413
    /// (<see cref="WixApi.SplitUntilItFitsAsync"/>). One Wix says is there already (WDE0074: a call repeated
    /// after a lost answer, or the other side of a two-way relation written just before) is written. One to an item
    /// that does not exist (WDE0073: a kept one to an item the backup does not give back, or one the site held to an
    /// item that was already gone, which Wix returns unresolved) cannot be, and is counted in a warning; any other
    /// refusal is a refused item of the referring collection, one for each item, naming its references.
    /// </summary>
    private async Task InsertAsync(string collectionId, List<Pending> references, CancellationToken cancellationToken)
    {
        int dropped = 0;
        var dangling = new List<WixReference>();
        var refusals = new List<(Pending Reference, string Code, string Message)>();
        var answered = new HashSet<Pending>();
        try
        {
            foreach (var chunk in references.Chunk(client.Options.BulkSize))
                await WixApi.SplitUntilItFitsAsync(chunk,
                    part => WixApi.InsertReferencesAsync(client, collectionId, part.Select(p => p.Reference).ToList(), cancellationToken),
                    (part, answer) =>
                    {
                        foreach (var result in WixJson.Results(answer, "referenceMetadata", part.Count, "a reference insert", collectionId))
                        {
                            if (result.Success || result.Code == "WDE0074") continue;
                            var reference = part[result.Index];
                            if (result.Code == "WDE0073" && reference.Kept) dropped++;
                            else if (result.Code == "WDE0073") dangling.Add(reference.Reference);
                            else refusals.Add((reference, result.Code, result.Message));
                        }
                        answered.UnionWith(part);
                    },
                    reference =>
                    {
                        refusals.Add((reference, "WDE0109", "Wix answered 413: the reference alone is larger than a request it takes."));
                        answered.Add(reference);
                    });
        }
        finally
        {
            // Only what Wix has answered for leaves the list (a call that fails for good leaves the rest to
            // Unwritten), and what it said is reported even when a later call fails.
            pending.RemoveAll(answered.Contains);
            Report(collectionId, dropped, dangling, refusals);
        }
    }

    private void Report(string collectionId, int dropped, List<WixReference> dangling, List<(Pending Reference, string Code, string Message)> refusals)
    {
        foreach (var item in refusals.GroupBy(r => (r.Reference.Reference.ItemId, r.Reference.Reference.Field)))
        {
            var first = item.First();
            refused.Add(new RefusedItem(collectionId, item.Key.ItemId, first.Code,
                $"{item.Count()} of its references in '{item.Key.Field}' were not written ({string.Join(", ", item.Take(5).Select(r => r.Reference.Reference.Referenced))}{(item.Count() > 5 ? ", ..." : "")}): {first.Message}"));
        }
        if (dropped > 0)
            warnings.Add($"{dropped} reference(s) that '{collectionId}' held to restored items were not written back: the backup does not hold the items they referred to.");
        if (dangling.Count > 0)
            warnings.Add($"{dangling.Count} reference(s) of the items restored into '{collectionId}' could not be written: they refer to items that do not exist (already gone when backed up, or refused): " +
                string.Join(", ", dangling.Take(20).Select(r => $"{r.ItemId}.{r.Field} → {r.Referenced}")) + (dangling.Count > 20 ? ", ..." : "") + ".");
    }

    /// <summary>Writes whatever is left (at the end, everything can be).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var group in pending.GroupBy(p => p.Collection).ToList())
            await InsertAsync(group.Key, group.ToList(), cancellationToken);
    }

    /// <summary>What a restore that stopped left unwritten, as warnings: the restored items' references, and above all
    /// those of collections outside the restore, which nothing else holds.</summary>
    public IEnumerable<string> Unwritten()
    {
        foreach (var group in pending.GroupBy(p => (p.Collection, p.Kept)))
        {
            var sample = string.Join(", ", group.Take(20).Select(p => $"{p.Reference.ItemId}.{p.Reference.Field} → {p.Reference.Referenced}"));
            yield return group.Key.Kept
                ? $"The restore stopped before it could write back {group.Count()} reference(s) that '{group.Key.Collection}' (not restored) held to the collections it emptied; they are gone from the site: {sample}{(group.Count() > 20 ? ", ..." : "")}."
                : $"The restore stopped before it wrote {group.Count()} reference(s) of the items restored into '{group.Key.Collection}' (the archive holds them; restoring again writes them): {sample}{(group.Count() > 20 ? ", ..." : "")}.";
        }
    }
}
