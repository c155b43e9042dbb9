#!/usr/bin/env pwsh
# TraceForensics build script. Run through the local tool manifest:
#   dotnet tool restore; dotnet pwsh build.ps1 [build|test|bench|pack]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'bench', 'pack')]
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
    'bench' {
        Invoke-Step 'stats benchmark' { bash bench/bench.sh stats }
        Invoke-Step 'analyze benchmark' { bash bench/bench.sh analyze }
    }
    'pack' {
        Invoke-Step 'pack' { dotnet pack src/TraceForensics.Cli -c $Configuration -o artifacts }
        Write-Host "Install with: dotnet tool install --global --add-source artifacts TraceForensics"
    }
}
