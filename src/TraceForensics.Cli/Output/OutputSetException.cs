namespace TraceForensics.Cli.Output;

/// <summary>A file of a set written as one (<see cref="OutputTarget.WriteSet"/>) could not be written: which one, and
/// why (the inner exception).</summary>
public sealed class OutputSetException(string path, Exception inner) : IOException(inner.Message, inner)
{
    /// <summary>The file that failed, as it was given.</summary>
    public string Path => path;
}
