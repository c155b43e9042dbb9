using System.CommandLine;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx rules [ID]</c>: the inference rules behind <c>[inferred: RULE]</c> marks, listed, or one
/// explained with the kernel source it rests on.</summary>
internal static class RulesCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<string?>("rule") { Description = "A rule id as a finding cites it (blocked-stack:folio_wait_writeback names blocked-stack)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("rules", """
            List the rules that infer wait-for edges the trace does not show, or explain one.

            Examples:
              tracefx rules                               every rule with its meaning
              tracefx rules fault-holds-faulted-page      what an [inferred: fault-holds-faulted-page] mark means
              tracefx rules sole-page-lock-holder:hugetlb_wp   the same, with the stack-table row of its witness frame
            """);
        command.Add(id);
        command.SetAction(parse =>
        {
            if (parse.GetValue(id) is not { } wanted)
            {
                int width = InferenceRules.All.Max(r => r.Id.Length);
                foreach (var r in InferenceRules.All) stdout.WriteLine($"{r.Id.PadRight(width)}  {r.Meaning}");
                stdout.WriteLine();
                stdout.WriteLine("tracefx rules ID explains one, with the kernel source it rests on.");
                return Program.ExitOk;
            }
            if (InferenceRules.Find(wanted) is not { } rule)
            {
                stderr.WriteLine($"tracefx: no rule '{Events.Model.UntrustedText.ForTerminal(wanted)}'; tracefx rules lists them");
                return Program.ExitUsageOrNoInput;
            }
            stdout.WriteLine(rule.Id);
            if (wanted.Length > rule.Id.Length) stdout.WriteLine($"  as cited: {Events.Model.UntrustedText.ForTerminal(wanted)} (the frame after the colon is the witness)");
            stdout.WriteLine($"  meaning: {rule.Meaning}");
            stdout.WriteLine($"  kernel source: {rule.Source}");
            if (wanted.Length > rule.Id.Length)
            {
                // The witness frame's rows of the stack tables: what that function is known to do, and why.
                var witness = wanted[(rule.Id.Length + 1)..];
                bool holder = rule == InferenceRules.FaultHoldsFaultedPage || rule == InferenceRules.SolePageLockHolder;
                foreach (var row in StackFunctions.Of(witness))
                {
                    if ((row.Role == StackRole.HoldsPageLock) != holder) continue;
                    var lines = row.Describe().ToList();
                    stdout.WriteLine($"  witness row: {lines[0]}");
                    foreach (var line in lines.Skip(1)) stdout.WriteLine($"    {line}");
                }
            }
            return Program.ExitOk;
        });
        return command;
    }
}
