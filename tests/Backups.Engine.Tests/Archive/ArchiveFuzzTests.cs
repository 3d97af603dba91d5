using SiteBackup.Engine.Archive;
using SiteBackup.Engine.Archive.Encryption;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Tests.Support;
using Xunit.Abstractions;

namespace SiteBackup.Engine.Tests.Archive;

/// <summary>
/// Random damage to valid archives, a fixed number of rounds from a fixed seed (so a failure reproduces): bits
/// flipped, bytes cut, inserted, zeroed or duplicated. Every round must end in a clean verdict: either the archive
/// still reads back exactly the original items, or the reader throws BackupException (ArchiveCorrupt or
/// ArchiveVersionUnsupported). Any other exception is a bug the fuzzer found.
/// </summary>
public class ArchiveFuzzTests(ITestOutputHelper output)
{
    private const int Rounds = 1500;

    [Fact]
    public void Damaged_archives_are_refused_cleanly_or_read_back_exactly()
    {
        string[] people = Enumerable.Range(1, 40).Select(i => "{\"id\":" + i + ",\"name\":\"person " + i + "\",\"score\":" + i + ".5,\"photo\":{\"$binary\":\"AP8=\"}}").ToArray();
        string[] orders = Enumerable.Range(1, 25).Select(i => $$"""{"id":{{i}},"total":{{i * 3}}.0}""").ToArray();
        byte[] valid = ArchiveFiles.Write(("people", people), ("orders", orders)).ToArray();
        var expected = ReadAll(valid);
        var random = new Random(20261125);
        int refused = 0, intact = 0;

        for (int round = 0; round < Rounds; round++)
        {
            byte[] damaged = Damage(valid, random);
            try
            {
                Assert.Equal(expected, ReadAll(damaged));
                intact++;
            }
            catch (BackupException e) when (e.Error is BackupError.ArchiveCorrupt or BackupError.ArchiveVersionUnsupported)
            {
                refused++;
            }
        }

        output.WriteLine($"{Rounds} damaged archives: {refused} refused, {intact} read back intact (the damage missed the data)");
        Assert.Equal(Rounds, refused + intact);
        Assert.True(refused > Rounds * 9 / 10, $"only {refused} of {Rounds} damaged archives were refused");
    }

    /// <summary>The same damage to sealed archives (in 4 KiB chunks, so that it lands in many): every archive the
    /// damage changed must be refused, as ArchiveCorrupt, with no item read from it.</summary>
    [Fact]
    public void Damaged_encrypted_archives_are_all_refused()
    {
        string[] people = Enumerable.Range(1, 1500).Select(i => "{\"id\":" + i + ",\"name\":\"person " + i + "\",\"note\":\"" + Guid.NewGuid() + "\"}").ToArray();
        byte[] zip = ArchiveFiles.Write(("people", people)).ToArray();
        string key = ArchiveKey.NewRawKey();
        using var target = new MemoryStream();
        var (header, contentKey) = EncryptionHeader.New(ArchiveKey.From(key), 4096);
        using (var sealing = new EncryptingStream(target, header, contentKey))
        {
            sealing.Write(zip);
            sealing.Complete();
        }
        byte[] valid = target.ToArray();
        Assert.True(valid.Length > 4 * 4096);
        var expected = ReadAll(zip);
        Assert.Equal(expected, ReadAll(DecryptingStream.Open(new MemoryStream(valid), ArchiveKey.From(key), "fuzz", header.Describe())));
        var random = new Random(20261202);
        int refused = 0, unchanged = 0;

        for (int round = 0; round < Rounds; round++)
        {
            byte[] damaged = Damage(valid, random);
            if (damaged.AsSpan().SequenceEqual(valid))
            {
                unchanged++;
                continue;
            }
            var e = Assert.Throws<BackupException>(() => ReadAll(DecryptingStream.Open(new MemoryStream(damaged), ArchiveKey.From(key), "fuzz", header.Describe())));
            Assert.Equal(BackupError.ArchiveCorrupt, e.Error);
            refused++;
        }

        output.WriteLine($"{Rounds} damaged encrypted archives: {refused} refused, {unchanged} left unchanged by the damage");
        Assert.True(refused > Rounds * 9 / 10);
    }

    private static List<string> ReadAll(byte[] archive) => ReadAll(new MemoryStream(archive));

    private static List<string> ReadAll(Stream archive)
    {
        var items = new List<string>();
        using var reader = ArchiveReader.Open(archive, "fuzz");
        foreach (var collection in reader.Manifest.Collections)
        {
            using var read = reader.OpenCollection(collection);
            while (read.Read() is { } item) items.Add(collection.Id + ":" + item.GetRawText());
        }
        return items;
    }

    private static byte[] Damage(byte[] valid, Random random)
    {
        var bytes = new List<byte>(valid);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes.RemoveRange(at, bytes.Count - at); break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3: for (int i = at; i < Math.Min(bytes.Count, at + random.Next(1, 64)); i++) bytes[i] = 0; break;
                default: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(bytes.Count - at, random.Next(1, 32)))); break;
            }
            if (bytes.Count == 0) bytes.Add(0);
        }
        return [.. bytes];
    }
}
