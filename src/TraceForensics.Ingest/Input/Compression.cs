namespace TraceForensics.Ingest.Input;

/// <summary>The compressed containers an input may come in, recognised by magic bytes, never by name.</summary>
public enum Compression
{
    None,
    Gzip,
    Zstd,
    Xz,
}
