using TraceForensics.Cli.Native;
using TraceForensics.Tests.Tui;

namespace TraceForensics.Tests.Cli;

/// <summary>Which program the native tracefx hands a command to (<see cref="ManagedCompanion.For"/>), and what it says
/// when none is there, on a directory laid out as <c>build.ps1 publish</c> lays out artifacts/tracefx.</summary>
public class ManagedCompanionTests
{
    [Fact]
    public void Tui_goes_to_tracefx_tui_when_it_is_there_else_to_the_managed_build()
    {
        using var dir = new TempDirectory();
        var ui = new ManagedCompanion.Needed("tracefx tui", userInterface: true);
        var dotnet = new ManagedCompanion.Needed("tracefx dotnet");
        var managed = Path.Combine(dir.Path, "managed", "tracefx");
        Assert.Equal(managed, ManagedCompanion.For(ui, dir.Path));
        File.WriteAllText(Path.Combine(dir.Path, "tracefx-tui"), "");
        Assert.Equal(Path.Combine(dir.Path, "tracefx-tui"), ManagedCompanion.For(ui, dir.Path));
        Assert.Equal(managed, ManagedCompanion.For(dotnet, dir.Path));
    }

    [Fact]
    public void Without_either_program_tui_names_both_where_they_were_looked_for()
    {
        var ui = ManagedCompanion.Missing(new ManagedCompanion.Needed("tracefx tui", userInterface: true), "/opt/tfx");
        Assert.Contains("tracefx tui needs tracefx-tui or the managed build of tracefx", ui);
        Assert.Contains("(/opt/tfx/tracefx-tui, /opt/tfx/managed/tracefx)", ui);
        var dotnet = ManagedCompanion.Missing(new ManagedCompanion.Needed("tracefx dotnet"), "/opt/tfx");
        Assert.Contains("tracefx dotnet needs the managed build of tracefx, which is not beside this one (/opt/tfx/managed/tracefx)", dotnet);
        Assert.DoesNotContain("tracefx-tui", dotnet);
    }
}
