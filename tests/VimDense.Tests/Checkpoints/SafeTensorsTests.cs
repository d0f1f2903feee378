using System.Buffers.Binary;
using System.Text;
using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

public class SafeTensorsTests
{
    private static Dictionary<string, Tensor> AllDTypes()
    {
        var values = new[] { -1.5f, 0f, 2.25f, 1e-3f, 65504f, -7f };
        return new Dictionary<string, Tensor>
        {
            ["f32"] = tensor(values).reshape(2, 3),
            ["f16"] = tensor(values).to(ScalarType.Float16),
            ["bf16"] = tensor(values).to(ScalarType.BFloat16).reshape(3, 2),
            ["f64"] = tensor(new[] { Math.PI, -0.0, double.MaxValue }),
            ["i64"] = tensor(new long[] { long.MinValue, 0, long.MaxValue }),
            ["i32"] = tensor(new[] { int.MinValue, 5, int.MaxValue }).reshape(1, 3, 1),
            ["u8"] = tensor(new byte[] { 0, 128, 255 }),
            ["bool"] = tensor(new[] { true, false, true, true }).reshape(2, 2),
            ["scalar"] = tensor(3.5f),
            ["empty"] = zeros(0, 4),
            ["transposed"] = arange(12, dtype: ScalarType.Float32).reshape(3, 4).t(), // non-contiguous input
        };
    }

    [Fact]
    public void RoundTripKeepsEveryDTypeShapeValueOrderAndMetadata()
    {
        var tensors = AllDTypes();
        var path = Path.Combine(TestPaths.NewTempDir(), "all.safetensors");
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode" });
        var loaded = SafeTensors.Load(path);
        Assert.Equal(tensors.Keys, loaded.Keys);
        foreach (var (name, t) in tensors) TensorAssert.Identical(t, loaded[name], name);
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode" }, SafeTensors.ReadMetadata(path));

        // The layout the format requires: u64 header length, JSON header, data 8-byte aligned.
        var bytes = File.ReadAllBytes(path);
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        var header = Newtonsoft.Json.Linq.JObject.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        Assert.Equal("BF16", (string)header["bf16"]!["dtype"]!);
        Assert.Equal(new long[] { 4, 3 }, header["transposed"]!["shape"]!.Select(v => (long)v).ToArray());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void ReadsAHandWrittenFile()
    {
        // Independent of Save: header and little-endian bytes written by hand.
        var json = """{"b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        var data = new byte[16];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), -2f);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(8), 7);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(12), -9);
        var path = Path.Combine(TestPaths.NewTempDir(), "hand.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)json.Length), .. Encoding.ASCII.GetBytes(json), .. data]);
        var loaded = SafeTensors.Load(path);
        Assert.Equal(["b", "a"], loaded.Keys);
        Assert.Equal(new[] { 1.5f, -2f }, loaded["a"].data<float>().ToArray());
        Assert.Equal(new[] { 7, -9 }, loaded["b"].data<int>().ToArray());
        Assert.Empty(SafeTensors.ReadMetadata(path));
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", "do not hold 3 x 4 bytes")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "past the end of the file")]
    [InlineData("""{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", "dtype C64 is not supported")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2]""", "not valid JSON")]
    public void BadHeadersAreClearErrors(string json, string expected)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "bad.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)json.Length), .. Encoding.ASCII.GetBytes(json), .. new byte[8]]);
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsAClearError()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "short.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1000UL), .. "{}"u8.ToArray()]);
        Assert.Contains("exceeds the file size", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message);
    }
}
