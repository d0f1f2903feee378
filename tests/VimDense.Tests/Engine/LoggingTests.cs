using Tensorboard;
using VimDense.Engine;

namespace VimDense.Tests.Engine;

public class LoggingTests
{
    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>TFRecord's masked CRC: rotate right by 15 bits and add a constant.</summary>
    private static uint Masked(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
    }

    /// <summary>Every TFRecord of an event file, with both checksums verified, parsed as tensorflow.Event.</summary>
    private static List<Event> ReadEvents(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        for (var offset = 0; offset < bytes.Length;)
        {
            Assert.True(offset + 12 <= bytes.Length, "truncated record header");
            var length = checked((int)BitConverter.ToUInt64(bytes, offset));
            Assert.Equal(Masked(bytes.AsSpan(offset, 8)), BitConverter.ToUInt32(bytes, offset + 8));
            var payload = bytes.AsSpan(offset + 12, length);
            Assert.Equal(Masked(payload), BitConverter.ToUInt32(bytes, offset + 12 + length));
            events.Add(Event.Parser.ParseFrom(payload.ToArray()));
            offset += 16 + length;
        }
        return events;
    }

    [Fact]
    public void Crc32CReferenceMatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C("123456789"u8));

    [Fact]
    public void TensorBoardScalarsReadBackWithTheirTagsStepsAndValues()
    {
        var dir = TestPaths.NewTempDir();
        using (var log = new TrainingLog(dir, tensorBoard: true))
        {
            log.Write("train", 7, new Dictionary<string, double> { ["loss"] = 0.5, ["lr"] = 1e-3 });
            log.Write("val", 8, new Dictionary<string, double> { ["mIoU"] = 41.25 });
        }
        var file = Assert.Single(Directory.GetFiles(Path.Combine(dir, "tf_logs")));
        Assert.Contains("tfevents", Path.GetFileName(file));
        var events = ReadEvents(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = events.Skip(1).Select(e => (e.Step, Assert.Single(e.Summary.Value))).Select(x => (x.Step, x.Item2.Tag, x.Item2.SimpleValue)).ToList();
        Assert.Equal([(7L, "train/loss", 0.5f), (7L, "train/lr", 1e-3f), (8L, "val/mIoU", 41.25f)], scalars);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(events.Skip(1), e => Assert.InRange(e.WallTime, now - 600, now + 5));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Length);
    }
}
