using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Cli;

public class HelpAndCompletionTests
{
    [Theory]
    [InlineData("stats")]
    [InlineData("analyze")]
    [InlineData("replay")]
    [InlineData("report")]
    [InlineData("completion")]
    public void Every_command_has_help_with_examples(string command)
    {
        var (exit, stdout, _) = Run.Cli(command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Examples:", stdout);
        Assert.Contains($"tracefx {command}", stdout.Replace("source <(tracefx completion", "tracefx completion"));
    }

    [Fact]
    public void Completion_script_asks_tracefx_for_suggestions()
    {
        var (exit, stdout, _) = Run.Cli("completion", "bash");
        Assert.Equal(0, exit);
        Assert.Contains("complete -o filenames -F _tracefx_complete tracefx", stdout);
        Assert.Contains("[suggest:${COMP_POINT}]", stdout);
        Assert.StartsWith("autoload -U +X bashcompinit", Run.Cli("completion", "zsh").Stdout);
    }

    [Fact]
    public void Suggestions_name_commands_and_option_values()
    {
        Assert.Contains("report", Run.Cli("[suggest:9]", "tracefx r").Stdout.Split('\n'));
        var formats = Run.Cli("[suggest:24]", "tracefx report --format ").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["csv", "dot", "json", "lkml", "markdown", "svg"], formats);
    }
}
