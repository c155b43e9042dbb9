#!/usr/bin/env pwsh
# TraceForensics build script. Run through the local tool manifest:
#   dotnet tool restore; dotnet pwsh build.ps1 [build|test|accept|bench|pack|publish]
# publish: the fast tool in artifacts/tracefx/: `tracefx` compiled ahead of time (Native AOT, for this machine's platform) for the trace
#   commands, `tracefx-tui` (the same, with the terminal UI) it hands tui to, and in artifacts/tracefx/managed/ the
#   managed build it hands dotnet and .NET dumps to.
# accept: rewrites the golden files (tests/golden) from the current output of `tracefx analyze`; review the diff.
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'accept', 'bench', 'pack', 'publish')]
    [string]$Target = 'test',
    [string]$Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Step([string]$what, [scriptblock]$step) {
    Write-Host "==> $what"
    & $step
    if ($LASTEXITCODE -ne 0) { throw "$what failed (exit $LASTEXITCODE)" }
}

switch ($Target) {
    'build' { Invoke-Step 'build' { dotnet build TraceForensics.sln -c $Configuration } }
    'test' {
        Invoke-Step 'build' { dotnet build TraceForensics.sln -c $Configuration }
        Invoke-Step 'test' { dotnet test TraceForensics.sln -c $Configuration --no-build --logger 'console;verbosity=normal' }
    }
    'accept' {
        Invoke-Step 'build tests' { dotnet build tests/TraceForensics.Tests -c $Configuration }
        $env:TRACEFX_ACCEPT_GOLDEN = '1'
        try {
            Invoke-Step 'accept golden output' { dotnet test tests/TraceForensics.Tests -c $Configuration --no-build --filter Golden }
        } finally {
            Remove-Item Env:TRACEFX_ACCEPT_GOLDEN -ErrorAction SilentlyContinue
        }
        Write-Host 'Golden files rewritten; review with: git diff tests/golden'
    }
    'bench' {
        Invoke-Step 'stats benchmark' { bash bench/bench.sh stats }
        Invoke-Step 'analyze benchmark' { bash bench/bench.sh analyze }
    }
    'publish' {
        $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier # linux-x64 here
        # ReadyToRun (compiled ahead of time for this platform, framework-dependent still): dotnet, triage and .NET dumps
        # (and tui, where tracefx-tui is missing) start without waiting for the JIT.
        Invoke-Step 'publish the managed build (dotnet, triage, .NET dumps), ReadyToRun' {
            dotnet publish src/TraceForensics.Cli -c $Configuration -r $rid --self-contained false -p:PublishReadyToRun=true -o artifacts/tracefx/managed
        }
        Invoke-Step 'publish the native build (Native AOT)' {
            dotnet publish src/TraceForensics.Cli -c $Configuration -r $rid -p:TracefxNative=true -o artifacts/tracefx
        }
        # The terminal UI's own native build, tracefx-tui beside tracefx (which hands it `tui`): its load runs the
        # analysis compiled ahead of time, as fast as `tracefx analyze`, instead of in the JIT's code (README "Terminal UI").
        Invoke-Step 'publish the terminal UI''s native build (Native AOT, tracefx-tui)' {
            dotnet publish src/TraceForensics.Cli -c $Configuration -r $rid -p:TracefxNative=true -p:TracefxNativeTui=true -o artifacts/tracefx
        }
        Write-Host 'Run with: artifacts/tracefx/tracefx analyze FILE   (start-up: bash bench/startup-bench.sh)'
    }
    'pack' {
        Invoke-Step 'pack' { dotnet pack src/TraceForensics.Cli -c $Configuration -o artifacts }
        Write-Host "Install with: dotnet tool install --global --add-source artifacts TraceForensics"
    }
}
