// Deadlocks on purpose. Modes: abba (two threads, Monitor A/B in opposite orders), ring3 (three threads in a Monitor
// cycle), lock (two threads, System.Threading.Lock A/B in opposite orders), mre (a thread waits on a ManualResetEvent
// nobody sets). Prints READY when the threads are blocked, then waits to be dumped and killed.
var mode = args.Length > 0 ? args[0] : "abba";
if (mode == "mre")
{
    var never = new ManualResetEvent(false);
    var waiter = new Thread(() => never.WaitOne()) { Name = "waiter", IsBackground = true };
    waiter.Start();
    Thread.Sleep(500);
    Ready();
}
int n = mode == "ring3" ? 3 : 2;
var monitors = Enumerable.Range(0, n).Select(i => new LockObject(i)).ToArray();
var locks = Enumerable.Range(0, n).Select(_ => new Lock()).ToArray();
using var held = new CountdownEvent(n);
var threads = Enumerable.Range(0, n).Select(i => new Thread(() =>
{
    if (mode == "lock")
    {
        using (locks[i].EnterScope())
        {
            held.Signal();
            held.Wait();
            using (locks[(i + 1) % n].EnterScope()) { }
        }
        return;
    }
    lock (monitors[i])
    {
        held.Signal();
        held.Wait();
        lock (monitors[(i + 1) % n]) { } // each waits for the next one's lock: a cycle
    }
}) { Name = $"deadlock-{i}", IsBackground = true }).ToArray();
foreach (var t in threads) t.Start();
held.Wait();
Thread.Sleep(500); // let them reach the second Enter
Ready();

static void Ready()
{
    Console.WriteLine("READY");
    Console.Out.Flush();
    Thread.Sleep(Timeout.Infinite);
}

/// <summary>The objects locked, with a type name the tests can look for.</summary>
sealed class LockObject(int id)
{
    public int Id { get; } = id;
}
