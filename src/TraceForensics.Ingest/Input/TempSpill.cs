namespace TraceForensics.Ingest.Input;

/// <summary>A temporary file in TMPDIR for bytes that cannot be read again where they came from (stdin, a pipe, a
/// decompressed stream, a tar member): unlinked as soon as it is made, so it goes with the process however that ends
/// (a crash or SIGKILL leaves nothing behind), and read and written through the handle kept open.</summary>
public static class TempSpill
{
    /// <summary>A new unlinked temporary file, or null when none can be made (TMPDIR missing, full or not writable):
    /// the caller then keeps the bytes in memory or says why it cannot. <paramref name="bufferSize"/> as for
    /// <see cref="FileStream"/> (1: no buffer, for a file read through its handle at offsets).</summary>
    public static FileStream? Create(string prefix, int bufferSize = 1 << 16)
    {
        var name = Path.Combine(Path.GetTempPath(), $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        FileStream file;
        try
        {
            file = new FileStream(name, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
        try { File.Delete(name); } // else at close (DeleteOnClose)
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return file;
    }
}
