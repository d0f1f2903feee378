using System.Runtime.InteropServices;

namespace VimDense.Engine.Logging;

/// <summary>
/// Bytes the C allocator has handed out and not had back (glibc's mallinfo2: chunks in use in every arena plus
/// mmapped blocks); on the CPU that is where every tensor lives. Unlike the resident set it does not count the
/// freed memory glibc keeps for reuse (around a 1024² detection step, 1.5–2.5 GiB), so it measures what a program
/// holds, whatever the allocator's free lists look like. Null where there is no glibc 2.33+.
/// </summary>
public static partial class HeapInUse
{
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, USmBlks, FSmBlks, UOrdBlks, FOrdBlks, KeepCost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo2 NativeMallInfo2();

    private static readonly bool Available = Probe();

    /// <summary>Bytes in use now, or null without glibc's mallinfo2.</summary>
    public static long? Bytes()
    {
        if (!Available) return null;
        var info = NativeMallInfo2();
        return (long)(info.UOrdBlks + info.HBlkHd);
    }

    /// <summary>
    /// Of <see cref="Bytes"/>, the bytes in blocks mapped on their own (mmap), which a free hands straight back to the
    /// OS and the next allocation faults in again (see <see cref="FreedMemoryRetention"/>); null without mallinfo2.
    /// </summary>
    public static long? MappedBytes() => Available ? (long)NativeMallInfo2().HBlkHd : null;

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            NativeMallInfo2();
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// The largest <see cref="Bytes"/> seen from now until disposal, sampled on a background thread every
    /// <paramref name="interval"/> (a peak shorter than that can be missed); null without mallinfo2.
    /// </summary>
    public static PeakSampler SamplePeak(TimeSpan? interval = null) => new(interval ?? TimeSpan.FromMilliseconds(5));

    public sealed class PeakSampler : IDisposable
    {
        private readonly Thread? _thread;
        private readonly ManualResetEventSlim _stop = new();
        private long _peak;

        internal PeakSampler(TimeSpan interval)
        {
            if (Bytes() is not { } now) return;
            _peak = now;
            _thread = new Thread(() =>
            {
                while (!_stop.Wait(interval)) Observe();
            }) { IsBackground = true, Name = "heap peak sampler" };
            _thread.Start();
        }

        /// <summary>The peak so far in bytes (null without mallinfo2); also takes a sample.</summary>
        public long? PeakBytes
        {
            get
            {
                if (_thread is null) return null;
                Observe();
                return Interlocked.Read(ref _peak);
            }
        }

        private void Observe()
        {
            var now = Bytes()!.Value;
            long seen;
            while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen) { }
        }

        public void Dispose()
        {
            _stop.Set();
            _thread?.Join();
            _stop.Dispose();
        }
    }
}
