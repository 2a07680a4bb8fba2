<#
.SYNOPSIS
    Installs or removes the scheduled exsweep check on an Exchange server.

.DESCRIPTION
    -Install (as an administrator):
      * creates %ProgramData%\exsweep and its reports folder, readable and
        writable by SYSTEM and Administrators only (inheritance from
        ProgramData removed: reports list every file exsweep found);
      * writes "[report] dir = %ProgramData%\exsweep\reports" into
        %ProgramData%\exsweep\exsweep.ini unless the file already sets it;
      * registers the event source "exsweep" in the Application log with
        exsweep.exe as its message file (unless the MSI registered it), so
        that exsweep --event-log events (IDs 1000-1007, README "Windows")
        show their text in Event Viewer; their data are the events'
        <EventData> items (win32/wef/ has a sample subscription);
      * copies this script into %ProgramData%\exsweep and registers the task
        "exsweep" from exsweep-task.xml: as SYSTEM, highest privileges, daily
        at 03:00 and 10 minutes after boot, "exsweep.exe check --quiet
        --no-progress --event-log --low-priority" (background processing
        mode: lower CPU, I/O and memory priority), then a second action that rotates the
        reports (this script with -Rotate).
    -Uninstall removes the task, the event source and the copied script. It
    leaves the reports, the baseline and the configuration, unless -Purge is
    given, which deletes the reports folder as well.
    -Rotate keeps the newest -KeepReports reports of each format
    (exsweep-*.json, exsweep-*.ndjson, and the HTML reports beside them,
    exsweep-*.html) and deletes the older ones; the task runs it after
    every check.

.PARAMETER ExePath
    The exsweep.exe to schedule. Default: exsweep.exe beside this script.

.PARAMETER KeepReports
    How many reports -Rotate keeps (default 30).

.EXAMPLE
    .\Install-ExsweepTask.ps1 -Install -ExePath 'C:\Program Files\exsweep\exsweep.exe'
    exsweep.exe init            # record the baseline once, before the first check
.EXAMPLE
    .\Install-ExsweepTask.ps1 -Uninstall -Purge
#>
[CmdletBinding(DefaultParameterSetName = 'Install')]
param(
    [Parameter(ParameterSetName = 'Install', Mandatory = $true)]
    [switch]$Install,
    [Parameter(ParameterSetName = 'Uninstall', Mandatory = $true)]
    [switch]$Uninstall,
    [Parameter(ParameterSetName = 'Rotate', Mandatory = $true)]
    [switch]$Rotate,
    [Parameter(ParameterSetName = 'Uninstall')]
    [switch]$Purge,
    [Parameter(ParameterSetName = 'Install')]
    [string]$ExePath = (Join-Path $PSScriptRoot 'exsweep.exe'),
    [Parameter(ParameterSetName = 'Install')]
    [Parameter(ParameterSetName = 'Rotate')]
    [ValidateRange(1, 100000)]
    [int]$KeepReports = 30
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$TaskName    = 'exsweep'
$EventSource = 'exsweep'
$DataDir     = Join-Path $env:ProgramData 'exsweep'
$ReportDir   = Join-Path $DataDir 'reports'
$ConfigFile  = Join-Path $DataDir 'exsweep.ini'
$ScriptCopy  = Join-Path $DataDir 'Install-ExsweepTask.ps1'
$TaskXml     = Join-Path $PSScriptRoot 'exsweep-task.xml'

function Assert-Administrator {
    $id = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($id)
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        throw 'run this script as an administrator'
    }
}

# SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544), full control, for the
# folder and everything below it; nothing inherited from ProgramData.
function Set-PrivateAcl([string]$Path) {
    $acl = New-Object System.Security.AccessControl.DirectorySecurity
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($sid in 'S-1-5-18', 'S-1-5-32-544') {
        $who = New-Object System.Security.Principal.SecurityIdentifier($sid)
        $rule = New-Object System.Security.AccessControl.FileSystemAccessRule(
            $who, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')
        $acl.AddAccessRule($rule)
    }
    $acl.SetOwner((New-Object System.Security.Principal.SecurityIdentifier('S-1-5-32-544')))
    Set-Acl -LiteralPath $Path -AclObject $acl
}

# UTF-8 without a byte order mark, which exsweep's parser would not expect.
function Write-ConfigLines([string[]]$Lines) {
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    [System.IO.File]::WriteAllLines($ConfigFile, $Lines, $utf8)
}

# Adds "dir = $ReportDir" to the [report] section unless a dir is set there.
function Set-ReportDirConfig {
    $line = "dir = $ReportDir"
    if (-not (Test-Path -LiteralPath $ConfigFile)) {
        Write-ConfigLines @('[report]', $line)
        return
    }
    $lines = @(Get-Content -LiteralPath $ConfigFile)
    $section = ''
    $reportAt = -1
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $t = $lines[$i].Trim()
        if ($t -match '^\[(.+)\]$') {
            $section = $Matches[1].Trim().ToLowerInvariant()
            if ($section -eq 'report') { $reportAt = $i }
            continue
        }
        if ($section -eq 'report' -and $t -match '^dir\s*[=:]') {
            Write-Host "keeping the report folder set in '$ConfigFile'"
            return
        }
    }
    if ($reportAt -ge 0) {
        $before = $lines[0..$reportAt]
        $after = if ($reportAt + 1 -lt $lines.Count) { $lines[($reportAt + 1)..($lines.Count - 1)] } else { @() }
        $lines = @($before) + $line + @($after)
    } else {
        $lines = @($lines) + '' + '[report]' + $line
    }
    Write-ConfigLines $lines
}

function Register-ExsweepEventSource([string]$MessageFile) {
    if ([System.Diagnostics.EventLog]::SourceExists($EventSource)) { return }
    # exsweep.exe holds the message table of its event IDs
    # (win32/exsweep-events.mc).
    $data = New-Object System.Diagnostics.EventSourceCreationData($EventSource, 'Application')
    $data.MessageResourceFile = $MessageFile
    [System.Diagnostics.EventLog]::CreateEventSource($data)
}

function Install-ExsweepTask {
    Assert-Administrator
    $exe = (Resolve-Path -LiteralPath $ExePath).ProviderPath
    foreach ($dir in $DataDir, $ReportDir) {
        New-Item -ItemType Directory -Force -Path $dir | Out-Null
    }
    Set-PrivateAcl $DataDir
    Set-PrivateAcl $ReportDir
    Set-ReportDirConfig
    Register-ExsweepEventSource $exe
    Copy-Item -LiteralPath $PSCommandPath -Destination $ScriptCopy -Force

    $esc = [System.Security.SecurityElement]
    $xml = Get-Content -LiteralPath $TaskXml -Raw
    $xml = $xml.Replace('__EXSWEEP_EXE__', $esc::Escape($exe))
    $xml = $xml.Replace('__EXSWEEP_PS1__', $esc::Escape($ScriptCopy))
    $xml = $xml.Replace('__KEEP_REPORTS__', [string]$KeepReports)
    Register-ScheduledTask -TaskName $TaskName -Xml $xml -Force | Out-Null
    Write-Host "registered task '$TaskName' ($exe); reports in '$ReportDir'"
    Write-Host "record the baseline once before the first run: & '$exe' init"
}

function Uninstall-ExsweepTask {
    Assert-Administrator
    if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) {
        Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false
        Write-Host "removed task '$TaskName'"
    }
    if ([System.Diagnostics.EventLog]::SourceExists($EventSource)) {
        [System.Diagnostics.EventLog]::DeleteEventSource($EventSource)
        Write-Host "removed event source '$EventSource'"
    }
    if (Test-Path -LiteralPath $ScriptCopy) {
        Remove-Item -LiteralPath $ScriptCopy -Force
    }
    if ($Purge -and (Test-Path -LiteralPath $ReportDir)) {
        Remove-Item -LiteralPath $ReportDir -Recurse -Force
        Write-Host "removed '$ReportDir'"
    } elseif (Test-Path -LiteralPath $ReportDir) {
        Write-Host "kept '$ReportDir' (use -Purge to remove it)"
    }
}

function Invoke-ReportRotation {
    if (-not (Test-Path -LiteralPath $ReportDir)) { return }
    foreach ($filter in 'exsweep-*.json', 'exsweep-*.ndjson', 'exsweep-*.html') {
        Get-ChildItem -LiteralPath $ReportDir -Filter $filter -File |
            Sort-Object LastWriteTimeUtc -Descending |
            Select-Object -Skip $KeepReports |
            Remove-Item -Force
    }
}

switch ($PSCmdlet.ParameterSetName) {
    'Install'   { Install-ExsweepTask }
    'Uninstall' { Uninstall-ExsweepTask }
    'Rotate'    { Invoke-ReportRotation }
}
