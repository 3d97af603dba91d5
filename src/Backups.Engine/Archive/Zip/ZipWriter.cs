using System.Buffers.Binary;
using System.Text;

namespace SiteBackup.Engine.Archive.Zip;

/// <summary>
/// Writes a standard zip file (PKWARE's APPNOTE 6.3) front to back without ever seeking, so that its output may be
/// an upload or an encrypting stream. Every entry is deflated by a <see cref="BlockDeflateStream"/> (in blocks, on
/// several processors); its CRC-32 and sizes follow its data in a data descriptor and are repeated in the central
/// directory, where most readers take them. A reader that streams the zip front to back knows the descriptor's size
/// only from the local header: bsdtar from a pipe takes 8-byte sizes when that header has a ZIP64 extra field and
/// 4-byte ones otherwise (APPNOTE 4.3.9.2), while Java before 21 and funzip cannot stream an entry whose local header
/// has one. An entry begun with mayPass4GiB gets a ZIP64 local header (its sizes 0xFFFFFFFF, the extra field's zero)
/// and 8-byte descriptor sizes, as Python's zipfile does with force_zip64; otherwise classic headers, and 8-byte
/// descriptor sizes only past 4 GiB, as System.IO.Compression and Java write them (ArchiveWriter's choice). The
/// central directory holds ZIP64 fields only where a size, an offset or the count of entries does not fit.
/// </summary>
/// <remarks>
/// Written because System.IO.Compression writes one entry at a time on one thread, and deflate is the largest cost
/// of a backup. The archives it writes are read back in the tests by System.IO.Compression, unzip, Python's zipfile,
/// bsdtar (from the file and from a pipe) and Expand-Archive, ZIP64 included
/// (tests/Backups.Engine.Tests/Archive/ZipInteropTests.cs).
/// </remarks>
internal sealed class ZipWriter : IDisposable
{
    private const uint LocalHeaderSignature = 0x04034b50;
    private const uint DataDescriptorSignature = 0x08074b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint EndSignature = 0x06054b50;

    private const ushort VersionDeflate = 20;
    private const ushort VersionZip64 = 45;
    /// <summary>Made by: Unix (3) in the high byte, so that the external attributes are a file mode; APPNOTE 4.5.</summary>
    private const ushort MadeBy = (3 << 8) | VersionZip64;
    private const ushort FlagDataDescriptor = 0x0008;
    private const ushort FlagUtf8Name = 0x0800;
    private const ushort MethodDeflate = 8;
    /// <summary>A regular file, rw-r--r--.</summary>
    private const uint ExternalAttributes = 0x81A4u << 16;

    private readonly Stream _output;
    private readonly List<CentralEntry> _entries = [];
    private readonly (ushort Time, ushort Date) _modified;
    private long _position;
    private Open? _open;
    private bool _finished;

    internal ZipWriter(Stream output, DateTime? modified = null)
    {
        _output = output;
        _modified = DosTime(modified ?? DateTime.Now);
    }

    /// <summary>Starts an entry; write its content to the stream returned, then call <see cref="EndEntry"/>.</summary>
    /// <param name="name">The entry's name, relative with forward slashes.</param>
    /// <param name="level">zlib's level, 0 to 9.</param>
    /// <param name="mayPass4GiB">Whether to begin the entry with a ZIP64 local header, so that a reader streaming the
    /// zip reads it past 4 GiB (see the class's summary for what that costs).</param>
    internal Stream BeginEntry(string name, int level, bool mayPass4GiB)
    {
        if (_open is not null) throw new InvalidOperationException("The previous entry was not ended.");
        ObjectDisposedException.ThrowIf(_finished, this);
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        ushort flags = (ushort)(FlagDataDescriptor | (Ascii.IsValid(nameBytes) ? 0 : FlagUtf8Name));
        long offset = _position;

        Span<byte> header = stackalloc byte[30 + 20];
        BinaryPrimitives.WriteUInt32LittleEndian(header, LocalHeaderSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], mayPass4GiB ? VersionZip64 : VersionDeflate);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], MethodDeflate);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], _modified.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], _modified.Date);
        // CRC-32 and both sizes (14..25) follow the data in its descriptor: zero here, or the ZIP64 marker.
        header[14..26].Clear();
        if (mayPass4GiB) header[18..26].Fill(0xFF);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], checked((ushort)nameBytes.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)(mayPass4GiB ? 20 : 0));
        Write(header[..30]);
        Write(nameBytes);
        if (mayPass4GiB)
        {
            // The ZIP64 extra field of a local header holds both sizes, zero until the descriptor gives them.
            var extra = header[30..];
            extra.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
            Write(extra);
        }

        var content = new BlockDeflateStream(_output, level);
        _open = new Open(nameBytes, flags, offset, content, mayPass4GiB);
        return content;
    }

    /// <summary>Finishes the entry begun last: its last blocks and its data descriptor. Raises the first failure of
    /// compressing or writing it.</summary>
    internal void EndEntry()
    {
        var open = _open ?? throw new InvalidOperationException("No entry was begun.");
        open.Content.Complete();
        _position += open.Content.CompressedLength;
        long compressed = open.Content.CompressedLength, uncompressed = open.Content.UncompressedLength;
        uint crc = open.Content.Crc32;
        open.Content.Dispose();
        _open = null;

        // APPNOTE 4.3.9: sizes are 8 bytes each when the local header had a ZIP64 extra field (or, past 4 GiB, when
        // it should have had one), 4 bytes otherwise.
        bool zip64 = open.Zip64 || compressed >= uint.MaxValue || uncompressed >= uint.MaxValue;
        Span<byte> descriptor = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor, DataDescriptorSignature);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[4..], crc);
        if (zip64)
        {
            BinaryPrimitives.WriteInt64LittleEndian(descriptor[8..], compressed);
            BinaryPrimitives.WriteInt64LittleEndian(descriptor[16..], uncompressed);
            Write(descriptor);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor[8..], (uint)compressed);
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor[12..], (uint)uncompressed);
            Write(descriptor[..16]);
        }
        _entries.Add(new CentralEntry(open.Name, open.Flags, open.Offset, crc, compressed, uncompressed, open.Zip64));
    }

    /// <summary>Writes the central directory and the end records; the zip is whole after this.</summary>
    internal void Finish()
    {
        if (_open is not null) throw new InvalidOperationException("The last entry was not ended.");
        ObjectDisposedException.ThrowIf(_finished, this);
        long directoryOffset = _position;
        foreach (var entry in _entries) WriteCentralEntry(entry);
        long directorySize = _position - directoryOffset;

        bool zip64 = _entries.Count >= ushort.MaxValue || directorySize >= uint.MaxValue || directoryOffset >= uint.MaxValue;
        if (zip64)
        {
            long recordOffset = _position;
            Span<byte> record = stackalloc byte[56];
            BinaryPrimitives.WriteUInt32LittleEndian(record, Zip64EndSignature);
            BinaryPrimitives.WriteInt64LittleEndian(record[4..], record.Length - 12);
            BinaryPrimitives.WriteUInt16LittleEndian(record[12..], MadeBy);
            BinaryPrimitives.WriteUInt16LittleEndian(record[14..], VersionZip64);
            BinaryPrimitives.WriteUInt32LittleEndian(record[16..], 0); // this disk
            BinaryPrimitives.WriteUInt32LittleEndian(record[20..], 0); // the disk the directory starts on
            BinaryPrimitives.WriteInt64LittleEndian(record[24..], _entries.Count);
            BinaryPrimitives.WriteInt64LittleEndian(record[32..], _entries.Count);
            BinaryPrimitives.WriteInt64LittleEndian(record[40..], directorySize);
            BinaryPrimitives.WriteInt64LittleEndian(record[48..], directoryOffset);
            Write(record);

            Span<byte> locator = stackalloc byte[20];
            BinaryPrimitives.WriteUInt32LittleEndian(locator, Zip64LocatorSignature);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[4..], 0);
            BinaryPrimitives.WriteInt64LittleEndian(locator[8..], recordOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1); // disks in all
            Write(locator);
        }

        Span<byte> end = stackalloc byte[22];
        ushort count = (ushort)Math.Min(_entries.Count, ushort.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(end, EndSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(end[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], Clamp(directorySize));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], Clamp(directoryOffset));
        BinaryPrimitives.WriteUInt16LittleEndian(end[20..], 0); // no comment
        Write(end);
        _finished = true;
    }

    private void WriteCentralEntry(CentralEntry entry)
    {
        // APPNOTE 4.5.3: the ZIP64 extra holds only the fields whose classic field is all ones, in this order.
        Span<byte> extra = stackalloc byte[28];
        int extraLength = 4;
        if (entry.Uncompressed >= uint.MaxValue) { BinaryPrimitives.WriteInt64LittleEndian(extra[extraLength..], entry.Uncompressed); extraLength += 8; }
        if (entry.Compressed >= uint.MaxValue) { BinaryPrimitives.WriteInt64LittleEndian(extra[extraLength..], entry.Compressed); extraLength += 8; }
        if (entry.Offset >= uint.MaxValue) { BinaryPrimitives.WriteInt64LittleEndian(extra[extraLength..], entry.Offset); extraLength += 8; }
        bool zip64 = extraLength > 4;
        if (zip64)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)(extraLength - 4));
        }
        else extraLength = 0;

        Span<byte> header = stackalloc byte[46];
        BinaryPrimitives.WriteUInt32LittleEndian(header, CentralHeaderSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], MadeBy);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], zip64 || entry.Zip64Local ? VersionZip64 : VersionDeflate);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], entry.Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], MethodDeflate);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], _modified.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(header[14..], _modified.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], entry.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], Clamp(entry.Compressed));
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], Clamp(entry.Uncompressed));
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)entry.Name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[30..], (ushort)extraLength);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 0); // no comment
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 0); // the disk it starts on
        BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 0); // internal attributes
        BinaryPrimitives.WriteUInt32LittleEndian(header[38..], ExternalAttributes);
        BinaryPrimitives.WriteUInt32LittleEndian(header[42..], Clamp(entry.Offset));
        Write(header);
        Write(entry.Name);
        Write(extra[..extraLength]);
    }

    private static uint Clamp(long value) => value >= uint.MaxValue ? uint.MaxValue : (uint)value;

    /// <summary>MS-DOS date and time, local time as zip readers take it, in two-second steps; 1980 at the earliest.</summary>
    private static (ushort Time, ushort Date) DosTime(DateTime time)
    {
        if (time.Year < 1980) time = new DateTime(1980, 1, 1);
        if (time.Year > 2107) time = new DateTime(2107, 12, 31, 23, 59, 58);
        return ((ushort)((time.Hour << 11) | (time.Minute << 5) | (time.Second / 2)),
                (ushort)(((time.Year - 1980) << 9) | (time.Month << 5) | time.Day));
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _position += bytes.Length;
    }

    /// <summary>Without <see cref="Finish"/>, leaves the zip without its directory (no reader takes it) and stops
    /// the entry still open.</summary>
    public void Dispose()
    {
        _open?.Content.Dispose();
        _open = null;
        _finished = true;
    }

    private sealed record Open(byte[] Name, ushort Flags, long Offset, BlockDeflateStream Content, bool Zip64);

    private sealed record CentralEntry(byte[] Name, ushort Flags, long Offset, uint Crc, long Compressed, long Uncompressed, bool Zip64Local);
}
