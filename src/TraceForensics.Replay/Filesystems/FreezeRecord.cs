using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Filesystems;

/// <summary>A filesystem the input shows being frozen: its device, the freezer task, the stack that showed it in
/// freeze_super (or a block-device freeze), and its own I/O that named the device.</summary>
public sealed record FreezeRecord(DeviceNumber Dev, int FreezerPid, string FreezerComm, EvidenceLine FreezerStack, EvidenceLine Io);
