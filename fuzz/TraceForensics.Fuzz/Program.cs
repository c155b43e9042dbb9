using TraceForensics.Fuzz;

// TraceForensics.Fuzz READER            run under afl-fuzz (SharpFuzz's out-of-process loop), the input on stdin
// TraceForensics.Fuzz READER FILE...    run each file once outside afl (to replay a crash: its exception escapes)
// READER is one of Harnesses.Names. No exception is caught here: an exception anywhere is a crash to the fuzzer.
if (args.Length == 0 || !Harnesses.All.TryGetValue(args[0], out var harness))
{
    Console.Error.WriteLine($"usage: TraceForensics.Fuzz READER [FILE...]; READER is one of: {string.Join(", ", Harnesses.All.Keys)}");
    return 2;
}
if (args.Length > 1)
{
    foreach (var file in args.Skip(1)) harness(File.ReadAllBytes(file));
    return 0;
}
SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    harness(copy.ToArray());
});
return 0;
