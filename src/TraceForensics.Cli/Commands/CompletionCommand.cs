using System.CommandLine;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx completion bash|zsh</c>: a shell completion script. It asks tracefx itself (System.CommandLine's
/// <c>[suggest]</c> directive) for commands, options and option values, and falls back to file names.</summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # tracefx completion for bash: source it, or put it in /etc/bash_completion.d/tracefx
        _tracefx_complete() {
            local cur="${COMP_WORDS[COMP_CWORD]}"
            local words
            words=$(tracefx "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
            COMPREPLY=( $(compgen -W "${words}" -- "${cur}") )
            if [ ${#COMPREPLY[@]} -eq 0 ]; then
                COMPREPLY=( $(compgen -f -- "${cur}") )
            fi
        }
        complete -o filenames -F _tracefx_complete tracefx
        """;

    public static Command Create(TextWriter stdout)
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", """
            Print a shell completion script.

            Examples:
              source <(tracefx completion bash)
              tracefx completion zsh > ~/.zsh/tracefx-completion.zsh
            """);
        command.Add(shell);
        command.SetAction(parse =>
        {
            if (parse.GetValue(shell) == "zsh") stdout.WriteLine("autoload -U +X bashcompinit && bashcompinit");
            stdout.WriteLine(Bash);
            return Program.ExitOk;
        });
        return command;
    }
}
