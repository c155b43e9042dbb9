using Parquet;
using Parquet.Schema;

namespace TraceForensics.Cli.Triage;

/// <summary>Writes <see cref="TriageRow"/>s as <c>traceforensics/triage/v1</c> Parquet (docs/contracts/triage-v1.md)
/// through Parquet.Net's column API (no reflection: Native AOT): rows are buffered column by column and written as a
/// row group every <see cref="RowGroupRows"/> rows, so memory does not grow with the number of rows. Lists
/// (chain, tasks, lock classes) are written with their repetition and definition levels (Apache Parquet format,
/// "Nested Encoding"; the LIST logical type's three levels, which Spark, Trino and DuckDB read).</summary>
public sealed class TriageParquetWriter : IDisposable
{
    public const string Schema = "traceforensics/triage/v1";
    public const int RowGroupRows = 4096;

    private static readonly DataField<string> Input = new("input", false);
    private static readonly DataField<string> Host = new("host", true);
    private static readonly DataField<string> Boot = new("boot", true);
    private static readonly DateTimeDataField Seen = new("seen", DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Micros, true);
    private static readonly DataField<double?> Time = new("time");
    private static readonly DataField<string> Kind = new("kind", false);
    private static readonly DataField<string> Finding = new("finding", true);
    private static readonly DataField<string> Summary = new("summary", true);
    private static readonly DataField<string> BlockedIn = new("blocked_in", true);
    private static readonly DataField<string> Relation = new("relation", false);
    private static readonly DataField<string> NodeKind = new("node_kind", false);
    private static readonly DataField<string> Node = new("node", false);
    private static readonly DataField<string> Rule = new("rule", true);
    private static readonly ListField Chain = new("chain", new StructField("element", Relation, NodeKind, Node, Rule));
    private static readonly DataField<string> RootKind = new("root_kind", true);
    private static readonly DataField<string> RootName = new("root_name", true);
    private static readonly DataField<string> Task = new("element", false);
    private static readonly ListField Tasks = new("tasks", Task);
    private static readonly DataField<string> LockClass = new("element", false);
    private static readonly ListField LockClasses = new("lock_classes", LockClass);
    private static readonly DataField<string> Signature = new("signature", true);
    private static readonly DataField<string> Shape = new("shape", true);
    private static readonly DataField<string> Diagnostic = new("diagnostic", true);

    public static readonly ParquetSchema ParquetSchema = new(Input, Host, Boot, Seen, Time, Kind, Finding, Summary, BlockedIn, Chain,
        RootKind, RootName, Tasks, LockClasses, Signature, Shape, Diagnostic);

    private readonly ParquetWriter _writer;
    private readonly List<TriageRow> _rows = new(RowGroupRows);

    public long Rows { get; private set; }

    public TriageParquetWriter(Stream output)
    {
        _writer = ParquetWriter.CreateAsync(ParquetSchema, output, new ParquetOptions()).GetAwaiter().GetResult();
        _writer.CustomMetadata = new Dictionary<string, string> { ["schema"] = Schema };
    }

    public void Add(TriageRow row)
    {
        _rows.Add(row);
        Rows++;
        if (_rows.Count == RowGroupRows) Flush();
    }

    private void Flush()
    {
        if (_rows.Count == 0) return;
        using var g = _writer.CreateRowGroup();
        Strings(g, Input, _rows.Select(r => (string?)r.Input));
        Strings(g, Host, _rows.Select(r => r.Host));
        Strings(g, Boot, _rows.Select(r => r.Boot));
        Wait(g.WriteAsync<DateTime>(Seen, _rows.Select(r => r.Seen).ToArray().AsMemory()));
        Wait(g.WriteAsync<double>(Time, _rows.Select(r => r.Time).ToArray().AsMemory()));
        Strings(g, Kind, _rows.Select(r => (string?)r.Kind));
        Strings(g, Finding, _rows.Select(r => r.Finding));
        Strings(g, Summary, _rows.Select(r => r.Summary));
        Strings(g, BlockedIn, _rows.Select(r => r.BlockedIn));
        List(g, Chain, Relation, r => r.Chain.Select(s => (string?)s.Relation).ToList());
        List(g, Chain, NodeKind, r => r.Chain.Select(s => (string?)s.NodeKind).ToList());
        List(g, Chain, Node, r => r.Chain.Select(s => (string?)s.Node).ToList());
        List(g, Chain, Rule, r => r.Chain.Select(s => s.Rule).ToList());
        Strings(g, RootKind, _rows.Select(r => r.RootKind));
        Strings(g, RootName, _rows.Select(r => r.RootName));
        List(g, Tasks, Task, r => r.Tasks.Select(s => (string?)s).ToList());
        List(g, LockClasses, LockClass, r => r.LockClasses.Select(s => (string?)s).ToList());
        Strings(g, Signature, _rows.Select(r => r.Signature));
        Strings(g, Shape, _rows.Select(r => r.Shape));
        Strings(g, Diagnostic, _rows.Select(r => r.Diagnostic));
        g.CompleteValidate();
        _rows.Clear();
    }

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    /// <summary>A flat string column; a null is left to Parquet.Net's definition levels.</summary>
    private static void Strings(ParquetRowGroupWriter g, DataField field, IEnumerable<string?> values) =>
        Wait(g.WriteAsync(field, values.ToList()!, null));

    /// <summary>A leaf of a list (of strings or of structs of strings), every row a list (empty, never null): per
    /// value slot a definition level (the list's when the row's list is empty, the element's when the leaf is null,
    /// the leaf's when it is set) and a repetition level (0 at a row's first slot, the list's level after).</summary>
    private void List(ParquetRowGroupWriter g, ListField list, DataField leaf, Func<TriageRow, List<string?>> valuesOf)
    {
        int empty = list.MaxDefinitionLevel - 1, element = list.Item.MaxDefinitionLevel, set = leaf.MaxDefinitionLevel;
        int repeated = leaf.MaxRepetitionLevel;
        var values = new List<ReadOnlyMemory<char>>();
        var defs = new List<int>();
        var reps = new List<int>();
        foreach (var row in _rows)
        {
            var items = valuesOf(row);
            if (items.Count == 0)
            {
                defs.Add(empty);
                reps.Add(0);
                continue;
            }
            for (int i = 0; i < items.Count; i++)
            {
                reps.Add(i == 0 ? 0 : repeated);
                if (items[i] is { } v)
                {
                    defs.Add(set);
                    values.Add(v.AsMemory());
                }
                else defs.Add(element);
            }
        }
        Wait(g.WriteAllPartsAsync<ReadOnlyMemory<char>>(leaf, values.ToArray(), defs.ToArray(), reps.ToArray(), default));
    }

    public void Dispose()
    {
        Flush();
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
