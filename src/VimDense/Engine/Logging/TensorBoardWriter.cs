using System.Text;

namespace VimDense.Engine.Logging;

/// <summary>
/// Writes TensorBoard scalar event files (events.out.tfevents.*) without TensorFlow: each record is TFRecord
/// framed (uint64 length, masked CRC-32C of the length, payload, masked CRC-32C of the payload) and each payload
/// is a hand-encoded tensorflow.Event protobuf: wall_time (1, double), step (2, varint), file_version (3) for the
/// first record, summary (5) holding Summary.Value { tag (1), simple_value (2, float) }.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream stream;

    public TensorBoardWriter(string directory)
    {
        Directory.CreateDirectory(directory);
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        FilePath = Path.Combine(directory, $"events.out.tfevents.{seconds}.{Environment.MachineName}.{Environment.ProcessId}");
        stream = new FileStream(FilePath, FileMode.Create, FileAccess.Write, FileShare.Read);
        var first = new ProtoWriter();
        first.Double(1, WallTime());
        first.Bytes(3, Encoding.UTF8.GetBytes("brain.Event:2"));
        WriteRecord(first.ToArray());
    }

    public string FilePath { get; }

    public void AddScalar(string tag, double value, long step)
    {
        var summaryValue = new ProtoWriter();
        summaryValue.Bytes(1, Encoding.UTF8.GetBytes(tag));
        summaryValue.Float(2, (float)value);
        var summary = new ProtoWriter();
        summary.Bytes(1, summaryValue.ToArray());
        var ev = new ProtoWriter();
        ev.Double(1, WallTime());
        ev.Varint(2, (ulong)step);
        ev.Bytes(5, summary.ToArray());
        WriteRecord(ev.ToArray());
    }

    public void Flush() => stream.Flush();

    public void Dispose() => stream.Dispose();

    /// <summary>TFRecord framing of one payload.</summary>
    public static byte[] Frame(byte[] payload)
    {
        var length = BitConverter.GetBytes((ulong)payload.Length);
        var record = new byte[8 + 4 + payload.Length + 4];
        length.CopyTo(record, 0);
        BitConverter.GetBytes(Crc32C.Masked(length)).CopyTo(record, 8);
        payload.CopyTo(record, 12);
        BitConverter.GetBytes(Crc32C.Masked(payload)).CopyTo(record, 12 + payload.Length);
        return record;
    }

    private void WriteRecord(byte[] payload) => stream.Write(Frame(payload));

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}
