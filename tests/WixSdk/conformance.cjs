// Wix's official JavaScript SDK (@wix/sdk, @wix/data) against the Wix stand-in: every call SiteBackup makes, made
// through the real client, with assertions on what the SDK itself returns. Run by WixSdkConformanceTests:
//   node conformance.cjs <sdk-folder> <api-base> <site-id> <api-key> <out.json>
// <sdk-folder> holds node_modules with the pinned SDK (build/TestWixSdk.psm1 installs it). The SDK sends its requests
// to https://www.wixapis.com/wix-data/v2/...; the fetch given to createClient sends them to the stand-in instead, and
// records each one (method, path, query string, body; a GET query's body is the JSON its ".r" carries), so that the
// test can compare SiteBackup's requests with the SDK's. <out.json> gets {checks: [{name, ok, detail}], requests}.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { createRequire } = require('node:module');

const [sdkFolder, apiBase, siteId, apiKey, outFile] = process.argv.slice(2);
const sdkRequire = createRequire(path.join(path.resolve(sdkFolder), 'package.json'));
const { createClient, ApiKeyStrategy } = sdkRequire('@wix/sdk');
const { items, collections, backups } = sdkRequire('@wix/data');

const requests = [];
let operation = 'setup';
const base = new URL(apiBase);

async function standInFetch(input, init) {
  const url = new URL(typeof input === 'string' ? input : input.url);
  const marker = '/wix-data/v2/';
  const at = url.pathname.indexOf(marker);
  if (at < 0) throw new Error(`the SDK called something that is no Wix Data API: ${url}`);
  const relative = url.pathname.slice(at + marker.length);
  const target = new URL(relative + url.search, base);
  const method = (init && init.method) || 'GET';
  let body = init && init.body ? String(init.body) : null;
  if (method === 'GET' && url.searchParams.has('.r')) body = Buffer.from(url.searchParams.get('.r'), 'base64url').toString('utf8');
  requests.push({ operation, method, path: relative, query: url.search, body: body ? JSON.parse(body) : null });
  return fetch(target, init);
}

const client = createClient({ modules: { items, collections, backups }, auth: ApiKeyStrategy({ apiKey, siteId }), fetch: standInFetch });
const wrongKey = createClient({ modules: { items }, auth: ApiKeyStrategy({ apiKey: 'not-the-key', siteId }), fetch: standInFetch });

const checks = [];
function check(name, ok, detail) { checks.push({ name, ok: !!ok, detail: ok ? '' : String(detail) }); }
async function step(name, body) {
  operation = name;
  try { await body(); } catch (e) { check(name, false, `threw: ${e && (e.stack || e.message || e)}`); }
}
function code(e) {
  const d = e && e.details;
  return (d && d.applicationError && d.applicationError.code) || (e && e.code) || (e && e.message) || String(e);
}
const read = { consistentRead: true, showDrafts: true };
const ids = list => list.map(i => i._id);

(async () => {
  await step('list-collections', async () => {
    const seen = [];
    let offset = 0;
    for (;;) {
      const page = await client.collections.listDataCollections({ paging: { limit: 2, offset } });
      seen.push(...page.collections);
      offset += page.collections.length;
      if (page.collections.length < 2) break;
    }
    const names = seen.map(c => c._id).sort();
    check('list-collections: every collection, two a page', names.join() === 'App/Limited,authors,books,people,people_copy', names.join());
    const people = seen.find(c => c._id === 'people');
    check('list-collections: capabilities, paging modes and multi-reference fields',
      people && people.capabilities.dataOperations.includes('FIND') && people.pagingModes.includes('CURSOR')
        && people.fields.some(f => f.key === 'friends' && f.type === 'MULTI_REFERENCE' && f.typeMetadata.multiReference.referencedCollectionId === 'people'),
      JSON.stringify(people));
    const limited = seen.find(c => c._id === 'App/Limited');
    check('list-collections: a collection that allows less says so',
      limited && limited.maxPageSize === 20 && !limited.capabilities.dataOperations.includes('TRUNCATE') && limited.pagingModes.join() === 'OFFSET',
      JSON.stringify(limited));
  });

  await step('query-cursor', async () => {
    const got = [];
    let page = await client.items.query('people').limit(100).find(read);
    got.push(...page.items);
    let pages = 1;
    while (page.hasNext()) { page = await page.next(); got.push(...page.items); pages++; }
    check('query: 250 items, drafts included, in 3 pages of 100', got.length === 250 && pages === 3 && new Set(ids(got)).size === 250, `${got.length} items in ${pages} pages`);
    check('query: the pages after the first go on by cursor', requests.filter(r => r.operation === 'query-cursor' && r.body.query.cursorPaging && r.body.query.cursorPaging.cursor).length === 2,
      JSON.stringify(requests.filter(r => r.operation === 'query-cursor').map(r => r.body.query)));
    check('query: multi-references are not in items unless asked for', got.every(i => i.friends === undefined), JSON.stringify(got[1]));
  });

  await step('query-include', async () => {
    const page = await client.items.query('people').limit(100).include('friends', 50).find(read);
    const p001 = page.items.find(i => i._id === 'p001');
    check('query: an included multi-reference is the referenced items', p001 && Array.isArray(p001.friends) && p001.friends.map(f => f._id).join() === 'p002,p003', JSON.stringify(p001));
    const p000 = page.items.find(i => i._id === 'p000');
    check('query: at most 50 referenced items are included', p000 && p000.friends.length === 50, p000 && p000.friends.length);
  });

  await step('query-published', async () => {
    const page = await client.items.query('people').limit(100).find({ consistentRead: true });
    let count = page.items.length;
    let next = page;
    while (next.hasNext()) { next = await next.next(); count += next.items.length; }
    check('query: without showDrafts, drafts are left out', count === 200, count);
  });

  await step('query-offset', async () => {
    const page = await client.items.query('people').skip(120).limit(100).find(read);
    check('query: by offset, items 120 to 219', page.items.length === 100 && page.items[0]._id === 'p120' && page.items[99]._id === 'p219', ids(page.items).slice(0, 2).join());
    const tooMany = await client.items.query('people').limit(1000).find(read);
    check('query: offset pages take up to 1000', tooMany.items.length === 250, tooMany.items.length);
  });

  await step('query-limited', async () => {
    const page = await client.items.query('App/Limited').limit(20).find(read);
    check('query: a collection with maxPageSize 20 answers 20', page.items.length === 20, page.items.length);
    let refused = null;
    try { await client.items.query('App/Limited').limit(21).find(read); } catch (e) { refused = e; }
    check('query: past the maxPageSize is refused', refused !== null, 'no error');
  });

  await step('query-referenced', async () => {
    const first = await client.items.queryReferenced('people', 'p000', 'friends', { limit: 100, consistentRead: true, showDrafts: true });
    let all = [...first.items];
    let page = first;
    while (page.hasNext()) { page = await page.next(); all.push(...page.items); }
    check('query-referenced: all 120 friends of p000, by pages', all.length === 120 && all[0]._id === 'p001', `${all.length}`);
  });

  await step('query-referenced-items', async () => {
    // As SiteBackup reads references: a page of referring items at once, drafts included, by cursor.
    const options = { showDrafts: true, consistentRead: true };
    const first = await client.items.queryReferencedItems('people', ['p000', 'p010', 'p012'], 'friends', { ...options, cursorPaging: { limit: 100 } });
    const results = [...first.results];
    let paging = first.pagingMetadata;
    while (paging && paging.cursors && paging.cursors.next) {
      const next = await client.items.queryReferencedItems('people', ['p000', 'p010', 'p012'], 'friends', { ...options, cursorPaging: { limit: 100, cursor: paging.cursors.next } });
      results.push(...next.results);
      paging = next.pagingMetadata;
    }
    const of = id => results.filter(r => r.referringItemId === id);
    check('query-referenced items: every reference of each referring item, named by it, over pages',
      results.length === 125 && of('p000').length === 120 && of('p000')[0].item._id === 'p001', `${results.length}: ${JSON.stringify(results.slice(0, 2))}`);
    const p010 = of('p010');
    check('query-referenced items: a reference to an item that is gone comes as its id',
      p010.length === 3 && p010[2].unresolvedReference && p010[2].unresolvedReference.referencedItemId === 'gone', JSON.stringify(p010));
    check('query-referenced items: drafts resolve when asked for', of('p012').map(r => r.item && r.item._id).join() === 'p013,p014', JSON.stringify(of('p012')));
    const published = await client.items.queryReferencedItems('people', ['p012'], 'friends', { consistentRead: true });
    check('query-referenced items: without showDrafts a draft comes unresolved, with its id',
      published.results.length === 2 && published.results[1].unresolvedReference && published.results[1].unresolvedReference.referencedItemId === 'p014', JSON.stringify(published.results));
  });

  await step('count', async () => {
    const all = await client.items.count('people', read);
    const published = await client.items.count('people', { consistentRead: true });
    check('count: drafts counted only when asked', all === 250 && published === 200, `${all}, ${published}`);
  });

  await step('bulk-save', async () => {
    const batch = Array.from({ length: 5 }, (_, i) => ({ _id: `c${i}`, name: `copy ${i}`, friends: ['p001', 'p002'] }));
    const first = await client.items.bulkSave('people_copy', batch);
    check('bulk save: new items inserted', first.inserted === 5 && first.updated === 0 && first.errors.length === 0, JSON.stringify(first));
    const again = await client.items.bulkSave('people_copy', batch);
    check('bulk save: the same items again are updated, not doubled', again.updated === 5 && again.inserted === 0, JSON.stringify(again));
    const saved = await client.items.query('people_copy').limit(100).find(read);
    check('bulk save: Wix sets _createdDate and _updatedDate', saved.items.length === 5 && saved.items.every(i => i._createdDate instanceof Date || typeof i._createdDate === 'string' || (i._createdDate && i._createdDate.$date)), JSON.stringify(saved.items[0]));
    const before = await client.items.query('people').limit(100).include('friends', 50).find(read);
    check('bulk save: multi-references only with saveReferences',
      before.items.find(i => i._id === 'p005').friends.map(f => f._id).join() === 'p006,p007', 'precondition');
    await client.items.bulkSave('people', [{ _id: 'p005', title: 'five', friends: ['p001'] }]);
    let after = await client.items.query('people').limit(100).include('friends', 50).find(read);
    check('bulk save: without saveReferences the references stay', after.items.find(i => i._id === 'p005').friends.map(f => f._id).join() === 'p006,p007', JSON.stringify(after.items.find(i => i._id === 'p005')));
    await client.items.bulkSave('people', [{ _id: 'p005', title: 'five', friends: ['p001'] }], { saveReferences: true });
    after = await client.items.query('people').limit(100).include('friends', 50).find(read);
    check('bulk save: with saveReferences they are replaced', after.items.find(i => i._id === 'p005').friends.map(f => f._id).join() === 'p001', JSON.stringify(after.items.find(i => i._id === 'p005')));
  });

  await step('bulk-insert', async () => {
    const result = await client.items.bulkInsert('people_copy', [{ _id: 'c0', name: 'again' }, { _id: 'c9', name: 'new' }]);
    // The SDK reads WDE0074 (the item exists) on an insert as a skipped item, not an error: the stand-in must send it.
    check('bulk insert: an item that exists is WDE0074, which the SDK counts as skipped; the rest inserted',
      result.inserted === 1 && result.skipped === 1 && result.errors.length === 0, JSON.stringify(result));
  });

  await step('insert-references', async () => {
    await client.items.insertReference('authors', 'books', 'a000', ['b001', 'b002']);
    const referenced = await client.items.queryReferenced('authors', 'a000', 'books', { consistentRead: true });
    check('insert reference: the references are there, in order', ids(referenced.items).join() === 'b000,b001,b002', ids(referenced.items).join());
    let refused = null;
    try { await client.items.insertReference('authors', 'title', 'a000', 'b001'); } catch (e) { refused = e; }
    check('insert reference: into a field that is no multi-reference is refused', refused !== null, 'no error');
  });

  await step('truncate', async () => {
    await client.items.truncate('books');
    check('truncate: the collection is empty', (await client.items.count('books', read)) === 0, 'not empty');
    const authors = await client.items.query('authors').limit(100).include('books', 50).find(read);
    check('truncate: references other collections held to it are cleared', authors.items.length === 10 && authors.items.every(a => a.books.length === 0), JSON.stringify(authors.items[0]));
    let refused = null;
    try { await client.items.truncate('App/Limited'); } catch (e) { refused = e; }
    check('truncate: a collection whose capabilities do not allow it refuses', refused !== null, 'no error');
  });

  await step('errors', async () => {
    let e1 = null;
    try { await client.items.query('no_such_collection').limit(10).find(read); } catch (e) { e1 = e; }
    check('errors: an unknown collection is WDE0025', e1 && code(e1) === 'WDE0025', e1 && code(e1));
    let e2 = null;
    try { await wrongKey.items.count('people'); } catch (e) { e2 = e; }
    check('errors: a wrong key is refused', e2 !== null, 'no error');
    let e3 = null;
    const big = Array.from({ length: 12 }, (_, i) => ({ _id: `big${i}`, text: 'x'.repeat(400 * 1024) }));
    try { await client.items.bulkSave('people_copy', big); } catch (e) { e3 = e; }
    check('errors: a request past the size Wix takes is WDE0109 (413)', e3 && (code(e3) === 'WDE0109' || String(e3.message).includes('413')), e3 && code(e3));
  });

  await step('backups', async () => {
    const sleep = ms => new Promise(r => setTimeout(r, ms));
    const created = (await client.backups.createBackup()).backup;
    check('backups: create gives a PENDING on-demand backup', created && created.status === 'PENDING' && created.type === 'ON_DEMAND' && created._id, JSON.stringify(created));
    let ready;
    for (let i = 0; i < 100 && !ready; i++) {
      operation = 'backups-list';
      const listed = await client.backups.listBackups({ status: ['READY', 'PENDING'], type: ['ON_DEMAND'], paging: { limit: 10, offset: 0 } });
      ready = listed.backups.find(b => b._id === created._id && b.status === 'READY');
      if (!ready) await sleep(50);
    }
    operation = 'backups';
    check('backups: listed READY with its size as a string, its dates as dates, its collections',
      ready && typeof ready.sizeInBytes === 'string' && ready.finishedDate instanceof Date && ready.collections.some(c => c._id === 'people'), JSON.stringify(ready));
    check('backups: the type filter', (await client.backups.listBackups({ type: ['AUTO'] })).backups.length === 0, 'an AUTO backup listed');

    const copies = await client.items.count('people_copy', read);
    await client.items.truncate('people_copy');
    const waitFor = async id => {
      for (let i = 0; i < 100; i++) {
        const r = (await client.backups.listRestorations({ paging: { limit: 50, offset: 0 } })).restorations.find(x => x._id === id);
        if (r && r.status !== 'PENDING') return r;
        await sleep(50);
      }
      return null;
    };
    operation = 'backups-restore';
    const whole = (await client.backups.restoreBackup(created._id)).restoration;
    operation = 'backups';
    const done = await waitFor(whole._id);
    check('backups: a whole restore completes and the content is back', done && done.status === 'COMPLETED' && (await client.items.count('people_copy', read)) === copies, JSON.stringify(done));
    operation = 'backups-partial';
    const partial = (await client.backups.restorePartialBackup(created._id, [{ dataCollectionId: 'people_copy', restoreDestination: { dataCollectionId: 'people_copy_restored' } }])).restoration;
    operation = 'backups';
    const partialDone = await waitFor(partial._id);
    check('backups: a partial restore into another collection completes and fills it',
      partialDone && partialDone.status === 'COMPLETED' && partialDone.restorationCollections[0].restoreDestination.dataCollectionId === 'people_copy_restored'
        && (await client.items.count('people_copy_restored', read)) === copies, JSON.stringify(partialDone));
    operation = 'backups-delete';
    await client.backups.deleteBackup(created._id);
    operation = 'backups';
    const deleted = (await client.backups.listBackups({ status: ['DELETED'] })).backups.find(b => b._id === created._id);
    check('backups: a deleted backup lists DELETED with its deletedDate', deleted && deleted.deletedDate instanceof Date, JSON.stringify(deleted));
  });

  fs.writeFileSync(outFile, JSON.stringify({ checks, requests }, null, 1));
})().catch(e => { console.error(e); process.exit(2); });
