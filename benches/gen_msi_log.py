#!/usr/bin/env python3
"""Writes a large Windows Installer verbose log for the scan benchmark.

Usage: gen_msi_log.py OUT SIZE_MB [utf-8|utf-16le]

The body repeats a block of realistic MSI lines (actions, notes, property changes, custom
action output); about one line in 5,000 is an error that a knowledge entry knows, and the
log ends with a real failure (Error 5003 / Return value 3 / MainEngineThread 1603)."""
import sys

NORMAL = [
    "MSI (s) (2C:64) [15:48:{s:02d}:{ms:03d}]: Doing action: InstallFiles",
    "Action start 15:48:{s:02d}: InstallFiles.",
    "MSI (s) (2C:64) [15:48:{s:02d}:{ms:03d}]: Note: 1: 1402 2: HKEY_LOCAL_MACHINE\\Software\\Microsoft\\BizTalk Server\\3.0 3: 2",
    "MSI (s) (2C:64) [15:48:{s:02d}:{ms:03d}]: PROPERTY CHANGE: Adding BTS_INSTALLDIR property. Its value is 'C:\\Program Files (x86)\\Microsoft BizTalk Server 2016\\'.",
    "MSI (s) (2C:64) [15:48:{s:02d}:{ms:03d}]: Executing op: FileCopy(SourceName=Microsoft.BizTalk.Pipeline.dll,SourceCabKey=F_{n},DestName=Microsoft.BizTalk.Pipeline.dll,Attributes=512,FileSize=368272,PerTick=65536,,VerifyMedia=1,,,,,CheckCRC=0,Version=3.12.774.0,Language=0,InstallMode=58982400,,,,,,,)",
    "MSI (s) (2C:64) [15:48:{s:02d}:{ms:03d}]: Component: C_Pipeline_{n}; Installed: Absent;   Request: Local;   Action: Local",
    "Action ended 15:48:{s:02d}: InstallFiles. Return value 1.",
    "MSI (s) (2C:64) [15:48:{s:02d}:{ms:03d}]: Skipping action: CA_Rollback_{n} (condition is false)",
    "CAQuietExec:  Registering assembly Microsoft.BizTalk.Interop.Agent.dll in the GAC",
    "MSI (s) (2C:64) [15:48:{s:02d}:{ms:03d}]: Note: 1: 2205 2:  3: Error ",
    "Property(S): ErrorDialog = ErrorDlg",
    "MSI (s) (2C:64) [15:48:{s:02d}:{ms:03d}]: Executing op: RegAddValue(Name=InstallPath,Value=C:\\Program Files (x86)\\Microsoft BizTalk Server 2016\\,)",
]
ERRORS = [
    "MSI (s) (2C:64) [15:48:{s:02d}:{ms:03d}]: Product: Microsoft BizTalk Server 2016 -- Error 1935. An error occurred during the installation of assembly component {{5B3E4A76-1C2B-4E0F-9D0A-4E2C5F{n:06d}}}. HRESULT: 0x80070005.",
    "CAQuietExec:  Exception of type 'System.EnterpriseServices.TransactionProxyException' was thrown.",
]
TAIL = [
    "MSI (s) (2C:64) [15:49:01:112]: Product: Microsoft BizTalk Server 2016 -- Error 5003.Regsvcs failed for assembly C:\\Program Files (x86)\\Microsoft BizTalk Server 2016\\Microsoft.BizTalk.Deployment.dll. Return code 1.",
    "CustomAction RegsvcsDeployment returned actual error code 1603 (note this may not be 100% accurate if translation happened inside sandbox)",
    "Action ended 15:49:01: InstallFinalize. Return value 3.",
    "MSI (s) (2C:64) [15:49:02:500]: Product: Microsoft BizTalk Server 2016 -- Installation operation failed.",
    "MSI (s) (2C:64) [15:49:02:600]: MainEngineThread is returning 1603",
    "=== Verbose logging stopped: 1/12/2017  15:49:02 ===",
]


def block(seed: int) -> str:
    lines = []
    for i in range(5000):
        template = NORMAL[i % len(NORMAL)]
        lines.append(template.format(s=i % 60, ms=i % 1000, n=seed * 5000 + i))
    lines[2500] = ERRORS[seed % len(ERRORS)].format(s=1, ms=1, n=seed)
    return "\r\n".join(lines) + "\r\n"


def main() -> None:
    out, size_mb = sys.argv[1], int(sys.argv[2])
    encoding = sys.argv[3] if len(sys.argv) > 3 else "utf-8"
    target = size_mb * 1024 * 1024
    header = "=== Verbose logging started: 1/12/2017  15:48:00  Build type: SHIP UNICODE 5.00.10011.00  Calling process: C:\\Windows\\system32\\msiexec.exe ===\r\n"
    blocks = [block(seed).encode(encoding) for seed in range(8)]
    with open(out, "wb") as f:
        if encoding == "utf-16le":
            f.write(b"\xff\xfe")
        f.write(header.encode(encoding))
        written, i = 0, 0
        while written < target:
            data = blocks[i % len(blocks)]
            f.write(data)
            written += len(data)
            i += 1
        f.write(("\r\n".join(TAIL) + "\r\n").encode(encoding))


if __name__ == "__main__":
    main()
