namespace TraceForensics.Events.Model;

/// <summary>The page and sector geometry the trace events are read with: one definition for decoding (a byte
/// offset to a page index) and replay (a writeback range to its pages and sectors).</summary>
public static class KernelPage
{
    /// <summary><c>PAGE_SHIFT</c> of 4 KiB pages (arch/x86/include/asm/page_types.h; the arm64 default,
    /// CONFIG_ARM64_4K_PAGES). Traces of kernels with larger pages are read as if pages were 4 KiB.</summary>
    public const int Shift = 12;
    public const long Size = 1L << Shift;
    /// <summary><c>SECTOR_SHIFT</c> (include/linux/blk_types.h): block events count 512-byte sectors.</summary>
    public const int SectorShift = 9;
    /// <summary>log2 of the sectors in a page (<c>PAGE_SECTORS_SHIFT</c>, include/linux/blk_types.h).</summary>
    public const int SectorsPerPageShift = Shift - SectorShift;
}
