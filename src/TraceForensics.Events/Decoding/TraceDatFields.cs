using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.TraceDat;

namespace TraceForensics.Events.Decoding;

/// <summary>The payload facts of a trace.dat event read straight from its record's fields (by the offsets, sizes and
/// signedness of the format description in the file), giving what <see cref="PayloadDecoder"/> gives for the text
/// <c>trace-cmd report</c> prints of the same record. One decoder per event type, made once from its format: null when
/// the format lacks a field the family reads (an older or newer kernel), and the text is decoded instead.
/// <see cref="Decode"/> says 1 (decoded), 0 (lacks what the kind carries, as the text decoder says) or -1 (this record
/// cannot be read typed without doubt: a name holding a '=' (or a space, where the text ends a value there), which the
/// text's key search would read differently; the text decides). Values the print format computes through flag or symbol tables
/// (<c>prev_state</c>, <c>gfp_flags</c>, lock flags) are taken from the text once per distinct raw value.</summary>
internal abstract class TraceDatFields
{
    public abstract int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text);

    /// <summary>The decoder for an event of <paramref name="kind"/> with this format, or null.</summary>
    public static TraceDatFields? For(EventKind kind, EventFormat f)
    {
        EventField? F(string name) => f.Field(name);
        return kind switch
        {
            // kernel include/trace/events/sched.h: sched_switch(prev_comm, prev_pid, prev_prio, prev_state, next_comm,
            // next_pid, next_prio); sched_wakeup_template(comm, pid, prio, target_cpu).
            EventKind.SchedSwitch when F("prev_comm") is { } pc && F("next_comm") is { } nc && Int32(F("next_pid")) is { } np && F("prev_state") is { } ps
                => new Switch(pc, nc, np, ps),
            // ... and sched_process_exit (comm, pid, prio, group_dead), sched_process_exec (filename, pid, old_pid): the
            // text decoder reads comm= and pid= of all of them (SchedPayloads.Wakeup, SchedPayloads.Pid).
            EventKind.SchedWaking or EventKind.SchedWakeup or EventKind.ProcessExit when F("comm") is { } c && Int32(F("pid")) is { } pid => new Wakeup(c, pid),
            EventKind.ProcessExec when F("filename") is { } file && F("comm") is null && Int32(F("pid")) is { } pid => new Exec(file, pid),
            // include/trace/events/writeback.h: writeback_folio_template / folio_wait_writeback (name, ino, index).
            EventKind.FolioDirtied or EventKind.WritebackWait when F("name") is { } n && Unsigned(F("ino")) is { } ino && Unsigned(F("index")) is { } idx
                => new BdiPage(n, ino, idx),
            // include/trace/events/writeback.h: writeback_single_inode_template (name, ino, state, ..., index, ...); the text
            // decoder leaves out its index= (the inode's writeback_index) when the payload prints a state=.
            EventKind.WritebackInode when !f.Name.StartsWith("ext4_", StringComparison.Ordinal) && F("name") is { } n && Unsigned(F("ino")) is { } ino
                => new BdiInode(n, ino, f.PrintFormat.Contains(" state=", StringComparison.Ordinal) ? null : Unsigned(F("index"))),
            // include/trace/events/iomap.h: iomap_writeback_folio (dev, ino, size, offset, length), iomap_add_to_ioend
            // (dev, ino, bdev, pos, dirty_len, addr, offset, length, type, flags).
            EventKind.WritebackStart when f.Name.StartsWith("iomap_", StringComparison.Ordinal) && Unsigned(F("dev")) is { Size: 4 } dev && F("ino") is { Size: 8 } ino
                && (F("pos") ?? F("pgoff") ?? F("offset")) is { Size: 8 } pos
                => new Iomap(dev, ino, pos, F("addr") is { Size: 8 } a ? a : null, F("offset") is { Size: 8 } o ? o : null,
                    (F("dirty_len") ?? F("length")) is { Size: 8 } l ? l : null),
            // include/trace/events/filemap.h: mm_filemap_op_page_cache (pfn, i_ino, index, s_dev, order), mm_filemap_fault
            // (i_ino, s_dev, index).
            EventKind.PageCacheAdd or EventKind.PageCacheDelete when Unsigned(F("pfn")) is { } pfn && Unsigned(F("i_ino")) is { } ino
                && Unsigned(F("index")) is { } idx && Unsigned(F("s_dev")) is { Size: 4 } dev && Unsigned(F("order")) is { } order
                => new PageCache(pfn, ino, idx, dev, order),
            EventKind.FilemapFault when Unsigned(F("i_ino")) is { } ino && Unsigned(F("index")) is { } idx && Unsigned(F("s_dev")) is { Size: 4 } dev
                => new Fault(ino, idx, dev),
            // include/trace/events/block.h: block_bio / block_rq (dev, sector, nr_sector, rwbs...).
            EventKind.BioQueue or EventKind.BioMerge or EventKind.BioComplete or EventKind.RequestGet or EventKind.RequestInsert
                or EventKind.RequestIssue or EventKind.RequestComplete
                when Unsigned(F("dev")) is { Size: 4 } dev && Unsigned(F("sector")) is { } sector && Unsigned(F("nr_sector")) is { Size: 4 } nr && F("rwbs") is { } rwbs
                => new Bio(dev, sector, nr, rwbs, f.Fields.Where(x => x.IsDataLoc || x.IsRelLoc).ToArray()),
            EventKind.Unplug when Int32(F("nr_rq")) is { } nr => new Unplug(nr),
            // include/trace/events/vmscan.h: mm_vmscan_direct_reclaim_begin_template (order, gfp_flags), _end_template
            // (nr_reclaimed), mm_vmscan_lru_shrink_inactive (... nr_writeback ...).
            EventKind.ReclaimBegin when Int32(F("order")) is { } order && F("gfp_flags") is { } gfp => new ReclaimBegin(order, gfp),
            EventKind.ReclaimEnd when Unsigned(F("nr_reclaimed")) is { } n => new Count(n),
            EventKind.ReclaimShrinkInactive when F("nr_writeback") is { Size: 8 } n => new SignedCount(n),
            // include/trace/events/lock.h: contention_begin (lock_addr, flags), contention_end (lock_addr, ret).
            EventKind.LockContentionBegin or EventKind.LockContentionEnd when F("lock_addr") is { Size: 8 } addr => new Contention(addr, F("flags")),
            // What the text decoder reads nothing of (PayloadDecoder.Decode: true without the payload).
            EventKind.Plug or EventKind.ReclaimThrottled or EventKind.KswapdWake or EventKind.KswapdSleep or EventKind.MmapLock
                or EventKind.Function => NoPayload.Instance,
            _ => null,
        };
    }

    private static EventField? Int32(EventField? f) => f is { Size: 4, IsArray: false } && !f.IsDataLoc ? f : null;
    private static EventField? Unsigned(EventField? f) => f is { Signed: false, IsArray: false, Size: 1 or 2 or 4 or 8 } && !f.IsDataLoc ? f : null;

    /// <summary>Bytes the text decoder's key search could read as something else: a space or tab (the end of a value) or
    /// '=' (a key).</summary>
    protected static bool Ambiguous(ReadOnlySpan<byte> s) => s.IndexOfAny((byte)' ', (byte)'\t', (byte)'=') >= 0;

    /// <summary>A '=' in a value the text decoder reads up to the next key (<see cref="PayloadFields.TryValueUntil"/>:
    /// comm=, next_comm=, filename=), which spaces do not end (<c>.NET TP Worker</c>): only a '=' could make a key.</summary>
    protected static bool HoldsKey(ReadOnlySpan<byte> s) => s.IndexOf((byte)'=') >= 0;

    /// <summary>A pid printed with %d and read back as a pid (<see cref="AsciiSpan.TryParsePid"/>): null when negative or
    /// past the kernel's limit.</summary>
    protected static int? Pid(long v) => v >= 0 && v < AsciiSpan.PidMaxLimit ? (int)v : null;

    /// <summary>An unsigned value printed with %lu and read back by <see cref="PayloadFields.Decimal"/> (at most 18 digits).</summary>
    protected static long? Decimal(ulong v) => v <= 999_999_999_999_999_999UL ? (long)v : null;

    /// <summary>A signed value printed with %ld/%lld and read back by <see cref="PayloadFields.Decimal"/>.</summary>
    protected static long? Decimal(long v) => v is >= -999_999_999_999_999_999L and <= 999_999_999_999_999_999L ? v : null;

    /// <summary>What the text decoder makes of values printed through flag or symbol tables, by raw value (few distinct).</summary>
    protected sealed class ByRawValue<T>
    {
        private readonly Dictionary<long, T> _known = [];

        public bool TryGet(long raw, out T value) => _known.TryGetValue(raw, out value!);

        public T Add(long raw, T value)
        {
            if (_known.Count < 4096) _known[raw] = value;
            return value;
        }
    }

    private sealed class Switch(EventField prevComm, EventField nextComm, EventField nextPid, EventField prevState) : TraceDatFields
    {
        private readonly ByRawValue<TaskState> _states = new();

        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            var next = e.Text(nextComm);
            if (HoldsKey(e.Text(prevComm)) || HoldsKey(next)) return -1;
            long raw = e.Number(prevState);
            if (!_states.TryGet(raw, out p.PrevState))
            {
                var q = default(EventPayload);
                text.Decode(EventKind.SchedSwitch, "sched_switch", e.Payload(), ref q);
                p.PrevState = _states.Add(raw, q.PrevState);
            }
            p.OtherPid = Pid(e.Number(nextPid));
            p.OtherComm = strings.Intern(next);
            return p.OtherPid is null ? 0 : 1;
        }
    }

    private sealed class Wakeup(EventField comm, EventField pid) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            var c = e.Text(comm);
            if (HoldsKey(c)) return -1;
            p.OtherComm = strings.Intern(c);
            p.OtherPid = Pid(e.Number(pid));
            return p.OtherPid is null ? 0 : 1;
        }
    }

    private sealed class Exec(EventField filename, EventField pid) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            if (HoldsKey(e.Text(filename))) return -1; // "filename=%s pid=%d old_pid=%d"
            p.OtherPid = Pid(e.Number(pid));
            return p.OtherPid is null ? 0 : 1;
        }
    }

    private sealed class BdiInode(EventField name, EventField ino, EventField? index) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            var n = e.Text(name);
            if (Ambiguous(n) || n.Length > 64) return -1;
            p.Dev = Bdi(n, strings);
            p.Ino = (ulong?)Decimal((ulong)e.Number(ino));
            if (index is not null) p.Index = Decimal((ulong)e.Number(index));
            return p.Dev is not null && p.Ino is not null ? 1 : 0;
        }
    }

    /// <summary>The device of "bdi %s:" as the text decoder reads it (a MAJ:MIN, a device name, or "(unknown)": none).</summary>
    protected static DeviceNumber? Bdi(ReadOnlySpan<byte> name, Utf8Interner strings)
    {
        Span<byte> bdi = stackalloc byte[name.Length + 5];
        "bdi "u8.CopyTo(bdi);
        name.CopyTo(bdi[4..]);
        bdi[^1] = (byte)':';
        return PayloadFields.Bdi(bdi, strings);
    }

    private sealed class Iomap(EventField dev, EventField ino, EventField pos, EventField? addr, EventField? mapOffset, EventField? length) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            // "dev %d:%d ino 0x%llx ... pos 0x%llx dirty len 0x%llx addr 0x%llx offset 0x%llx length 0x%llx", as
            // PagePayloads.WritebackStart reads it: the folio's page from pos (or offset), its disk sector from the
            // mapping (addr is the disk byte of file offset "offset"), its length in sectors.
            p.Dev = DeviceNumber.FromKernel(e.Number(dev));
            p.Ino = (ulong)e.Number(ino);
            ulong at = (ulong)e.Number(pos);
            p.Index = (long)(at >> KernelPage.Shift);
            if (addr is not null && mapOffset is not null)
            {
                ulong a = (ulong)e.Number(addr), o = (ulong)e.Number(mapOffset);
                if (at >= o) p.Sector = (a + (at - o)) >> 9;
            }
            if (length is not null) p.Sectors = (long)((ulong)e.Number(length) >> 9);
            return 1;
        }
    }

    private sealed class BdiPage(EventField name, EventField ino, EventField index) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            var n = e.Text(name);
            if (Ambiguous(n) || n.Length > 64) return -1;
            p.Dev = Bdi(n, strings);
            p.Ino = (ulong?)Decimal((ulong)e.Number(ino));
            p.Index = Decimal((ulong)e.Number(index));
            return p.Dev is not null && p.Ino is not null ? 1 : 0;
        }
    }

    private sealed class PageCache(EventField pfn, EventField ino, EventField index, EventField dev, EventField order) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            // "dev %d:%d ino %lx pfn=0x%lx ofs=%lu order=%u" (ofs: index << PAGE_SHIFT).
            p.Dev = DeviceNumber.FromKernel(e.Number(dev));
            p.Ino = (ulong)e.Number(ino);
            p.Pfn = (ulong)e.Number(pfn);
            p.Index = Decimal((ulong)e.Number(index) << KernelPage.Shift) >> KernelPage.Shift;
            p.Order = (int)e.Number(order);
            return p.Index is null ? 0 : 1;
        }
    }

    private sealed class Fault(EventField ino, EventField index, EventField dev) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            // "dev=%d:%d ino=%lx ofs=%lld" (ofs: ((loff_t)index) << PAGE_SHIFT).
            p.Dev = DeviceNumber.FromKernel(e.Number(dev));
            p.Ino = (ulong)e.Number(ino);
            p.Index = Decimal(e.Number(index) << KernelPage.Shift) >> KernelPage.Shift;
            return p.Index is null ? 0 : 1;
        }
    }

    private sealed class Bio(EventField dev, EventField sector, EventField nr, EventField rwbs, EventField[] strings) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner interner, PayloadDecoder text)
        {
            // "%d,%d %s [%u (%s)] %llu + %u ...": a rwbs that is empty or holds a space, or a string before the sectors
            // that holds a '+', would move the text's tokens.
            var r = e.Text(rwbs);
            if (r.IsEmpty || Ambiguous(r)) return -1;
            foreach (var s in strings)
                if (e.Text(s).IndexOf((byte)'+') >= 0) return -1;
            p.Dev = DeviceNumber.FromKernel(e.Number(dev));
            p.Rwbs = interner.Intern(r);
            p.Sector = (ulong)e.Number(sector);
            p.Sectors = (uint)e.Number(nr);
            return 1;
        }
    }

    private sealed class Unplug(EventField nr) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            long n = e.Number(nr); // "[%s] %d"
            p.Count = n >= 0 ? n : null;
            return 1;
        }
    }

    private sealed class ReclaimBegin(EventField order, EventField gfp) : TraceDatFields
    {
        private readonly ByRawValue<string?> _flags = new();

        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            p.Reclaim = MemoryPayloads.Scope(e.Format.Name);
            p.Order = (int)e.Number(order); // "order=%d gfp_flags=%s"
            long raw = e.Number(gfp);
            if (!_flags.TryGet(raw, out p.GfpFlags))
            {
                var q = default(EventPayload);
                text.Decode(EventKind.ReclaimBegin, e.Format.Name, e.Payload(), ref q);
                p.GfpFlags = _flags.Add(raw, q.GfpFlags);
            }
            return p.GfpFlags is null ? 0 : 1;
        }
    }

    private sealed class Count(EventField field) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            p.Reclaim = MemoryPayloads.Scope(e.Format.Name);
            p.Count = Decimal((ulong)e.Number(field)); // "nr_reclaimed=%lu"
            return 1;
        }
    }

    private sealed class SignedCount(EventField field) : TraceDatFields
    {
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            p.Count = Decimal(e.Number(field)); // "nr_writeback=%ld"
            return 1;
        }
    }

    private sealed class Contention(EventField address, EventField? flags) : TraceDatFields
    {
        private readonly ByRawValue<string?> _flags = new();

        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text)
        {
            p.LockAddress = (ulong)e.Number(address); // "%p (flags=%s)" / "%p (ret=%d)"
            if (flags is not null)
            {
                long raw = e.Number(flags);
                if (!_flags.TryGet(raw, out p.LockFlags))
                {
                    var q = default(EventPayload);
                    text.Decode(EventKind.LockContentionBegin, e.Format.Name, e.Payload(), ref q);
                    p.LockFlags = _flags.Add(raw, q.LockFlags);
                }
            }
            return 1;
        }
    }

    private sealed class NoPayload : TraceDatFields
    {
        public static readonly NoPayload Instance = new();
        public override int Decode(TraceDatEvent e, ref EventPayload p, Utf8Interner strings, PayloadDecoder text) => 1;
    }
}
