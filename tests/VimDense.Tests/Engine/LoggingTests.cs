using OpenCvSharp;
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
    internal static List<Event> ReadEvents(string path)
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

    [Fact]
    public void TensorBoardImagesReadBackAsPngsOfTheirPictures()
    {
        var dir = TestPaths.NewTempDir();
        var png = Path.Combine(dir, "ADE_val_00000001.png");
        using (var picture = new Mat(30, 50, MatType.CV_8UC3, new Scalar(10, 200, 30))) Cv2.ImWrite(png, picture);
        using (var log = new TrainingLog(dir, tensorBoard: true)) log.WriteImages("val/overlay", 12, [png]);

        var events = ReadEvents(Assert.Single(Directory.GetFiles(Path.Combine(dir, "tf_logs"))));
        var value = Assert.Single(Assert.Single(events.Skip(1)).Summary.Value);
        Assert.Equal("val/overlay/ADE_val_00000001", value.Tag);
        Assert.Equal(12, events[1].Step);
        Assert.Equal((30, 50), (value.Image.Height, value.Image.Width));
        using var decoded = Cv2.ImDecode(value.Image.EncodedImageString.ToByteArray(), ImreadModes.Color);
        Assert.Equal(new Size(50, 30), decoded.Size());
        Assert.Equal(new Vec3b(10, 200, 30), decoded.At<Vec3b>(15, 25));
    }

    [Fact]
    public void WithoutTensorBoardImagesAreNotWritten()
    {
        var dir = TestPaths.NewTempDir();
        using (var log = new TrainingLog(dir, tensorBoard: false)) log.WriteImages("val/overlay", 1, [Path.Combine(dir, "absent.png")]);
        Assert.False(Directory.Exists(Path.Combine(dir, "tf_logs")));
    }

    [Fact]
    public void LinesCarryATimestampAndTheTimerGivesMmsegsKeys()
    {
        var dir = TestPaths.NewTempDir();
        var timer = new VimDense.Engine.Logging.IterationTimer();
        for (var i = 0; i < 3; i++)
        {
            timer.Start();
            _ = timer.Data(() => new byte[1000].Length);
            timer.EndIteration();
        }
        var window = timer.TakeWindow();
        Assert.Equal(["data_time", "memory", "time"], window.Keys.Order());
        Assert.InRange(window["data_time"], 0, window["time"]);
        Assert.True(window["memory"] > 0, "peak resident memory in MB");
        using (var log = new TrainingLog(dir, tensorBoard: false)) log.Write("train", 3, window);
        var line = Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Single());
        Assert.True(DateTimeOffset.TryParse((string?)line["timestamp"], out _), line.ToString());
        Assert.Equal(window["time"], (double)line["time"]!);
        // A new window starts empty: the averages are over the iterations since the last log line.
        Assert.Equal(0, timer.TakeWindow()["time"]);
    }

    [Fact]
    public void ProgressLinesShowEtaAndIterationsPerSecond()
    {
        var output = new StringWriter();
        var bar = new VimDense.Engine.Logging.ProgressBar(4, 0, output, lineInterval: 2);
        for (var i = 1; i <= 4; i++) bar.Report(i, "loss 1.0");
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\[#+\.*\] 4/4 100\.0% \d\d:\d\d<\d\d:\d\d \d+\.\d\d it/s loss 1\.0$", lines[1]);
    }
}
