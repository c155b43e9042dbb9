using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

/// <summary>What a decoder remembers from line to line (a task's last comm, an event name's string and meaning, kept in
/// small tables by slot) changes no event: a slot that another comm or name took over gives the new one's, never the old.</summary>
public class DecodingCacheTests
{
    [Fact]
    public void A_comm_interned_for_an_owner_is_the_shared_string_whatever_the_owner_interned_before()
    {
        var strings = new Utf8Interner();
        string bash = strings.Intern("bash"u8);
        Assert.Same(bash, strings.Intern("bash"u8, 7));
        Assert.Equal("sh", strings.Intern("sh"u8, 7)); // same owner, other bytes
        Assert.Equal("sh", strings.Intern("sh"u8, 7 + 1024)); // another owner on the same slot
        Assert.Same(bash, strings.Intern("bash"u8, 7));
        Assert.Equal("kworker/u8:1-events_unbound", strings.Intern("kworker/u8:1-events_unbound"u8, 7)); // past 16 bytes
        Assert.Equal("bashx", strings.Intern("bashx"u8, 7)); // a longer comm with the same start
        Assert.Equal("bash", strings.Intern("bash"u8, 7));
        Assert.Equal(string.Empty, strings.Intern(""u8, 7));
    }

    [Fact]
    public void Slices_up_to_32_bytes_kept_as_words_are_told_apart_by_every_byte()
    {
        // Up to 32 bytes the interner compares words, not the bytes: a slice that differs from another in any one byte, or
        // only in its length, is another string; the same bytes are the same string object.
        var strings = new Utf8Interner();
        foreach (int n in new[] { 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40 })
        {
            var bytes = Encoding.ASCII.GetBytes(new string('a', n));
            string same = strings.Intern(bytes);
            Assert.Same(same, strings.Intern(bytes.ToArray()));
            Assert.Equal(new string('a', n + 1), strings.Intern(Encoding.ASCII.GetBytes(new string('a', n + 1))));
            for (int i = 0; i < n; i++)
            {
                var other = bytes.ToArray();
                other[i] = (byte)'b';
                Assert.Equal(Encoding.ASCII.GetString(other), strings.Intern(other));
            }
        }
    }

    [Fact]
    public void Events_of_many_names_and_comms_keep_their_own()
    {
        // More names than the decoder's table has slots, and comms that change under one pid, interleaved with events the
        // dictionary knows: each event has its own line's name, comm and meaning.
        var text = new StringBuilder();
        var expected = new List<(string Comm, string Name, EventKind Kind)>();
        for (int i = 0; i < 3000; i++)
        {
            long us = 1_000_000 + i;
            string comm = i % 3 == 0 ? $"task{i % 37}" : $"w{i % 5}";
            bool known = i % 2 == 0;
            // Names below 16 bytes, of 16 to 32 (compared as words) and past 32 (compared as bytes), same starts and ends.
            string name = known ? "sched_switch" : (i % 7) switch
            {
                1 => $"my_event_{i % 700}",
                3 => $"my_event_{i % 700}_of_a_longer_name",
                5 => $"my_event_{i % 700}_of_a_name_longer_than_32_bytes",
                _ => $"{i % 700}_of_a_name_longer_than_32_bytes_{i % 700}",
            };
            string payload = known ? "prev_comm=a prev_pid=1 prev_prio=120 prev_state=D ==> next_comm=b next_pid=2 next_prio=120" : "x=1";
            text.Append($"{comm,16}-{1000 + i % 3,-7} [000] ..... {us / 1_000_000}.{us % 1_000_000:000000}: {name}: {payload}\n");
            expected.Add((comm, name, known ? EventKind.SchedSwitch : EventKind.Unknown));
        }
        var (_, events) = Run.Text(text.ToString());
        Assert.Equal(expected, events.Select(e => (e.Comm, e.Name, e.Kind)).ToList());
    }
}
