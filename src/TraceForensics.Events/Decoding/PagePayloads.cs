using TraceForensics.Events.Model;
using static TraceForensics.Events.Decoding.PayloadFields;

namespace TraceForensics.Events.Decoding;

/// <summary>Page identity from writeback (<c>bdi 7:0: ino=131 index=100</c>, ino decimal; <c>bdi btrfs-1:</c> names its
/// bdi, a named device), filemap
/// (<c>dev 7:0 ino 83 pfn=0x.. ofs=N</c>, ino hex), iomap (<c>dev 7:0 ino 0x83 pos 0x.. addr 0x..</c>), ext4 and
/// kprobe arguments (<c>folio=0x.. index=N ino=N</c>).</summary>
internal static class PagePayloads
{
    public static bool Bdi(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        p.Dev = PayloadFields.Bdi(payload, strings);
        p.Ino = (ulong?)Decimal(payload, "ino="u8);
        // writeback_single_inode's index= is the inode's writeback_index, not a page of a wait or a dirtying.
        if (!payload.StartsWith("bdi "u8) || payload.IndexOf(" state="u8) < 0) p.Index = Decimal(payload, "index="u8);
        return p.Dev is not null && p.Ino is not null;
    }

    public static bool BdiOnly(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        p.Dev = PayloadFields.Bdi(payload, strings);
        p.Count = Decimal(payload, "nr_pages="u8);
        return true;
    }

    public static bool Filemap(ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        p.Dev = Device(payload, "dev "u8);
        p.Ino = Hex(payload, "ino "u8);
        p.Pfn = Hex(payload, "pfn="u8);
        p.Index = Decimal(payload, "ofs="u8) >> KernelPage.Shift;
        p.Order = (int?)Decimal(payload, "order="u8);
        p.Folio = Hex(payload, "page="u8) ?? Hex(payload, "folio="u8);
        return p.Ino is not null && p.Index is not null;
    }

    public static bool FilemapFault(ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        p.Dev = Device(payload, "dev="u8);
        p.Ino = Hex(payload, "ino="u8);
        p.Index = Decimal(payload, "ofs="u8) >> KernelPage.Shift;
        return p.Dev is not null && p.Ino is not null && p.Index is not null;
    }

    public static bool WritebackStart(string eventName, ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        if (eventName.StartsWith("iomap_", StringComparison.Ordinal) || eventName == "xfs_writepage")
        {
            p.Dev = Device(payload, "dev "u8);
            p.Ino = Number(payload, "ino "u8);
            ulong? pos = Number(payload, "pos "u8) ?? Number(payload, "pgoff "u8) ?? Number(payload, "offset "u8);
            p.Index = (long?)(pos >> KernelPage.Shift);
            // ioend: the mapping starts at disk byte addr for file offset "offset"; this folio is at pos.
            ulong? addr = Number(payload, "addr "u8);
            ulong? mapOffset = Number(payload, "offset "u8);
            if (addr is not null && pos is not null && mapOffset is not null && pos >= mapOffset)
                p.Sector = (addr + (pos - mapOffset)) >> 9;
            ulong? len = Number(payload, "len "u8) ?? Number(payload, "length "u8);
            if (len is not null) p.Sectors = (long)(len >> 9);
            return p.Dev is not null && p.Ino is not null && p.Index is not null;
        }
        if (eventName.StartsWith("ext4_", StringComparison.Ordinal))
        {
            p.Dev = Device(payload, "dev "u8);
            p.Ino = (ulong?)Decimal(payload, "ino "u8);
            p.Index = Decimal(payload, "lblk "u8);
            // ext4 counts 4 KiB blocks: "len 3" is three pages.
            if (Decimal(payload, "len "u8) is long blocks) p.Sectors = blocks << 3;
            return p.Dev is not null && p.Ino is not null;
        }
        if (eventName == "extent_writepage")
        {
            // btrfs names its filesystem by fsid, not device: "<fsid>: root=5(FS_TREE) ino=257 page_index=0 ..."
            p.Dev = PayloadFields.BtrfsFsid(payload, strings);
            p.Ino = (ulong?)Decimal(payload, "ino="u8); // a key matches after a space only: not page_index=
            p.Index = Decimal(payload, "page_index="u8);
            return p.Ino is not null && p.Index is not null;
        }
        return ProbeArgs(payload, ref p);
    }

    /// <summary><c>dev 7,2 ino 12 flags CREATE lblk 0 pblk 34816 len 2048 mflags NM ret 2048</c>: Count is the blocks mapped.</summary>
    public static bool BlockMap(ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        p.Dev = Device(payload, "dev "u8);
        p.Ino = (ulong?)Decimal(payload, "ino "u8);
        p.Index = Decimal(payload, "lblk "u8);
        p.Sector = (ulong?)Decimal(payload, "pblk "u8);
        // ret: the blocks mapped (0 for a hole, negative for an error); only those are at pblk.
        long? len = Decimal(payload, "len "u8), ret = Decimal(payload, "ret "u8);
        p.Count = ret is long r && len is long l ? Math.Max(0, Math.Min(r, l)) : 0;
        return p.Dev is not null && p.Ino is not null && p.Index is not null && p.Sector is not null;
    }

    /// <summary><c>dev 7,2 transaction 5 sync 0</c> or <c>dev 7,2 ino 12</c>.</summary>
    public static bool Journal(ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        p.Dev = Device(payload, "dev "u8);
        p.Count = Decimal(payload, "transaction "u8);
        p.Ino = (ulong?)Decimal(payload, "ino "u8);
        return p.Dev is not null;
    }

    /// <summary><c>&lt;fsid&gt;: root=5(FS_TREE) ino=257 file_offset=0 start=.. len=65536 ...</c> (finish: <c>start=</c> is
    /// the file offset).</summary>
    public static bool OrderedExtent(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        p.Dev = PayloadFields.BtrfsFsid(payload, strings);
        p.Ino = (ulong?)Decimal(payload, "ino="u8);
        long? offset = Decimal(payload, "file_offset="u8) ?? Decimal(payload, "start="u8);
        p.Index = offset >> KernelPage.Shift;
        if (Decimal(payload, "len="u8) is long len) p.Sectors = len >> 9; // not disk_len= nor truncated_len=
        return p.Ino is not null && p.Index is not null;
    }

    public static bool FsFault(ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        p.Dev = Device(payload, "dev "u8);
        p.Ino = Number(payload, "ino "u8);
        return true;
    }

    /// <summary>Arguments a user fetched in a kprobe (<c>folio=0x.. index=N ino=N dev=M:N pfn=0x..</c>); all optional.</summary>
    public static bool ProbeArgs(ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        p.Folio = Hex(payload, "folio="u8) ?? Hex(payload, "page="u8);
        p.Index = (long?)Number(payload, "index="u8); // fetch-args print hex without BTF types
        p.Ino = Number(payload, "ino="u8);
        p.Pfn = Hex(payload, "pfn="u8);
        p.Dev = Device(payload, "dev="u8);
        return true;
    }
}
