using System.Text;
using VimDense.Engine.Logging;

namespace VimDense.Tests.Engine;

public class LoggingTests
{
    [Fact]
    public void Crc32CMatchesTheStandardCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void TensorBoardRecordsAreFramedAndEncoded()
    {
        var dir = TestPaths.NewTempDir();
        string path;
        using (var writer = new TensorBoardWriter(dir))
        {
            writer.AddScalar("train/loss", 0.5, 7);
            path = writer.FilePath;
        }
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var length = (int)BitConverter.ToUInt64(bytes, offset);
            Assert.Equal(Crc32C.Masked(bytes.AsSpan(offset, 8)), BitConverter.ToUInt32(bytes, offset + 8));
            var payload = bytes.AsSpan(offset + 12, length).ToArray();
            Assert.Equal(Crc32C.Masked(payload), BitConverter.ToUInt32(bytes, offset + 12 + length));
            records.Add(payload);
            offset += 16 + length;
        }
        Assert.Equal(2, records.Count);
        Assert.Contains("brain.Event:2", Encoding.ASCII.GetString(records[0]));
        // Event: 0x09 wall_time(8) 0x10 step=7 0x2A summary{ 0x0A value{ 0x0A tag 0x15 float } }
        var second = records[1];
        Assert.Equal(0x09, second[0]);
        Assert.Equal(new byte[] { 0x10, 7, 0x2A }, second[9..12]);
        var tag = Encoding.ASCII.GetBytes("train/loss");
        var value = second[^5..];
        Assert.Equal(0x15, value[0]);
        Assert.Equal(0.5f, BitConverter.ToSingle(value, 1));
        Assert.Contains("train/loss", Encoding.ASCII.GetString(second));
        Assert.Equal(tag.Length, second[^(5 + tag.Length + 1)]);
    }
}
