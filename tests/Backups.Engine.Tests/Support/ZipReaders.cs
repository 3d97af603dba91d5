using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using SiteBackup.Engine.Archive;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>
/// Reads a zip file with the readers its users have, none of them SiteBackup's: System.IO.Compression, Info-ZIP's
/// unzip, Python's zipfile, libarchive's bsdtar (from the file, and streaming it from a pipe as a download is read)
/// and PowerShell's Expand-Archive. Each reports every entry it finds with its size and the SHA-256 of its content as
/// that reader extracted it; unzip, zipfile and libarchive also check the CRC-32s (System.IO.Compression, and so
/// Expand-Archive, do not on .NET 10). Every reader but the streaming one takes sizes from the central directory;
/// bsdtar from a pipe reads the local headers and the data descriptors instead. A reader that refuses the file fails
/// the test with what it said.
/// </summary>
public static class ZipReaders
{
    public sealed record Entry(string Name, long Size, string Sha256);

    public const string ExpandArchiveName = "Expand-Archive";

    public static IReadOnlyList<(string Reader, Func<string, IReadOnlyList<Entry>> Read)> All { get; } =
    [
        ("System.IO.Compression", DotNet),
        ("unzip", Unzip),
        ("python zipfile", Python),
        ("bsdtar", Bsdtar),
        ("bsdtar from a pipe", BsdtarStreaming),
        (ExpandArchiveName, ExpandArchive),
    ];

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static IReadOnlyList<Entry> DotNet(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Select(e =>
        {
            using var content = e.Open();
            var (size, sha) = Hash(content);
            return new Entry(e.FullName, size, sha);
        }).ToList();
    }

    /// <summary>unzip -t tests every entry's CRC; the names come from its listing (zipinfo -1) and the content from
    /// unzip -p, which writes the entries one after the other in the directory's order, each cut at the sizes the
    /// listing gives.</summary>
    public static IReadOnlyList<Entry> Unzip(string path)
    {
        // The test and the extraction both read every entry whole; they run side by side.
        var tested = Task.Run(() => Encoding.UTF8.GetString(Run("unzip", ["-t", path])));
        // zipinfo -l: permissions, version, system, size, type, compressed size, method, date, time, name, between a
        // header and a trailer; an entry's line is the one that starts with its permissions.
        var listing = Encoding.UTF8.GetString(Run("zipinfo", ["-l", path]))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith("-rw"))
            .Select(line => line.Split(' ', 10, StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (Name: f[9], Size: long.Parse(f[3])))
            .ToList();
        var entries = Split(listing, stdout => RunInto("unzip", ["-p", path], stdout));
        string test = tested.GetAwaiter().GetResult();
        if (!test.Contains("No errors detected")) throw new InvalidOperationException($"unzip -t: {test[^Math.Min(test.Length, 2000)..]}");
        return entries;
    }

    /// <summary>bsdtar -tvf lists names and sizes; bsdtar -xOf writes every entry's content to its output in order.</summary>
    public static IReadOnlyList<Entry> Bsdtar(string path) =>
        Split(BsdtarListing(path), stdout => RunInto("bsdtar", ["-xOf", path], stdout));

    private static List<(string Name, long Size)> BsdtarListing(string path) =>
        Encoding.UTF8.GetString(Run("bsdtar", ["-tvf", path]))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 9, StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (Name: f[8], Size: long.Parse(f[4])))
            .ToList();

    /// <summary>bsdtar -xOf - with the zip on a pipe (a regular file on standard input would be sought in): libarchive
    /// then reads front to back, each entry's end known only from its local header and data descriptor. The sizes
    /// to cut the content at come from the listing of the file.</summary>
    public static IReadOnlyList<Entry> BsdtarStreaming(string path)
    {
        return Split(BsdtarListing(path), stdout => RunInto("bash", ["-c", "set -o pipefail; cat -- \"$0\" | bsdtar -xOf -", path], stdout));
    }

    /// <summary>Each entry read and hashed; zipfile checks the CRC-32 when it reaches an entry's end.</summary>
    public static IReadOnlyList<Entry> Python(string path)
    {
        const string Script = """
            import hashlib, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                for info in z.infolist():
                    h = hashlib.sha256()
                    n = 0
                    with z.open(info) as f:
                        while chunk := f.read(1 << 20):
                            h.update(chunk)
                            n += len(chunk)
                    if n != info.file_size:
                        sys.exit("size of " + info.filename)
                    sys.stdout.buffer.write(("%s\t%d\t%s\n" % (info.filename, n, h.hexdigest())).encode())
            """;
        return Encoding.UTF8.GetString(Run("python3", ["-c", Script, path]))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => new Entry(f[0], long.Parse(f[1]), f[2]))
            .ToList();
    }

    /// <summary>Expand-Archive into a new folder, run by the repository's own pwsh (dotnet pwsh, from the tool
    /// manifest at the root), then every file of the folder hashed.</summary>
    public static IReadOnlyList<Entry> ExpandArchive(string path)
    {
        string into = Path.Combine(Path.GetTempPath(), "sitebackup-tests", "expanded-" + Guid.NewGuid().ToString("N"));
        try
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryRoot() };
            foreach (string a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command",
                "$ProgressPreference = 'SilentlyContinue'; Expand-Archive -LiteralPath $env:ZIP_IN -DestinationPath $env:ZIP_OUT -ErrorAction Stop" })
                start.ArgumentList.Add(a);
            start.Environment["ZIP_IN"] = path;
            start.Environment["ZIP_OUT"] = into;
            Run(start, Stream.Null);
            return Directory.EnumerateFiles(into, "*", SearchOption.AllDirectories).Select(file =>
            {
                using var content = File.OpenRead(file);
                var (size, sha) = Hash(content);
                return new Entry(Path.GetRelativePath(into, file).Replace('\\', '/'), size, sha);
            }).ToList();
        }
        finally
        {
            if (Directory.Exists(into)) Directory.Delete(into, recursive: true);
        }
    }

    /// <summary>The folder holding dotnet-tools.json, above the test's own folder.</summary>
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "dotnet-tools.json"))) return folder.FullName;
        throw new InvalidOperationException("No dotnet-tools.json above " + AppContext.BaseDirectory);
    }

    /// <summary>Cuts one stream of every entry's content, one after the other, at the listed sizes.</summary>
    private static List<Entry> Split(List<(string Name, long Size)> listing, Action<Stream> produce)
    {
        var splitter = new SplittingStream(listing.Select(e => e.Size).ToList());
        produce(splitter);
        var hashes = splitter.Finish();
        return listing.Select((e, i) => new Entry(e.Name, e.Size, hashes[i])).ToList();
    }

    private static (long Size, string Sha256) Hash(Stream content)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        long size = 0;
        for (int n; (n = content.Read(buffer)) > 0; size += n) sha.AppendData(buffer, 0, n);
        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        return (size, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    private static byte[] Run(string program, string[] args)
    {
        using var output = new MemoryStream();
        RunInto(program, args, output);
        return output.ToArray();
    }

    private static void RunInto(string program, string[] args, Stream stdout)
    {
        var start = new ProcessStartInfo(program);
        foreach (string a in args) start.ArgumentList.Add(a);
        Run(start, stdout);
    }

    private static void Run(ProcessStartInfo start, Stream stdout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(stdout, 1 << 20);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {errors.Result}");
    }

    /// <summary>Hashes what is written into it as consecutive pieces of the given sizes.</summary>
    private sealed class SplittingStream(List<long> sizes) : WriteOnlyStream
    {
        private readonly List<string> _hashes = [];
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _left = sizes.Count > 0 ? sizes[0] : 0;

        public List<string> Finish()
        {
            while (_hashes.Count < sizes.Count && _left == 0) Next();
            if (_hashes.Count != sizes.Count) throw new InvalidOperationException($"the content ended {_left:N0} bytes short in entry {_hashes.Count}");
            return _hashes;
        }

        private void Next()
        {
            _hashes.Add(Convert.ToHexStringLower(_sha.GetHashAndReset()));
            _left = _hashes.Count < sizes.Count ? sizes[_hashes.Count] : 0;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var data = buffer;
            while (true)
            {
                while (_left == 0 && _hashes.Count < sizes.Count) Next();
                if (data.IsEmpty) return;
                if (_hashes.Count == sizes.Count) throw new InvalidOperationException("more content than the listing's sizes");
                int take = (int)Math.Min(_left, data.Length);
                _sha.AppendData(data[..take]);
                _left -= take;
                data = data[take..];
            }
        }

    }
}
