using System.Buffers.Binary;
using System.Text;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

public class NpyFileTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Bool)]
    [InlineData(ScalarType.Float16)]
    public void RoundTripKeepsDTypeShapeAndValues(ScalarType dtype)
    {
        var dir = TestPaths.NewTempDir();
        foreach (var shape in new long[][] { [2, 3, 4], [5], [], [0, 3] })
        {
            var numel = shape.Aggregate(1L, (a, b) => a * b);
            var t = (arange(numel, dtype: ScalarType.Float64) * 1.25 - 3).reshape(shape);
            t = dtype == ScalarType.Bool ? t.gt(0) : dtype == ScalarType.Byte ? t.abs().to(dtype) : t.to(dtype);
            var path = Path.Combine(dir, $"{dtype}_{shape.Length}.npy");
            NpyFile.Write(path, t);
            Assert.Equal(0, (File.ReadAllBytes(path)[8] + 10) % 64); // header padded to 64 bytes
            TensorAssert.Identical(t, NpyFile.Read(path), $"{dtype} ({string.Join(",", shape)})");
        }
    }

    [Fact]
    public void ReadsTheVimFixtureInputs()
    {
        foreach (var name in new[] { "vim_tiny_s16_img64_seed11_d4", "vim_tiny_s8_img64_seed12_d4" })
        {
            var input = NpyFile.Read(TestPaths.Fixture("vim", name + ".input.npy"));
            Assert.Equal(ScalarType.Float32, input.dtype);
            Assert.Equal([2L, 3, 64, 64], input.shape);
            Assert.True(input.isfinite().all().item<bool>());
            Assert.InRange(input.std().item<float>(), 0.1f, 10f); // images, not zeros or garbage
            Assert.Equal([2L, 1000], NpyFile.Read(TestPaths.Fixture("vim", name + ".logits.npy")).shape);
        }
    }

    [Fact]
    public void ReadsTheScanFixturesWithTheShapesOfTheirCaseJson()
    {
        var scanDir = TestPaths.Fixture("scan");
        foreach (var caseDir in Directory.GetDirectories(scanDir))
        {
            var info = Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(Path.Combine(caseDir, "case.json")));
            var files = Directory.GetFiles(caseDir, "*.npy");
            Assert.NotEmpty(files);
            foreach (var file in files) Assert.True(NpyFile.Read(file).numel() > 0, file);
            var u = NpyFile.Read(Path.Combine(caseDir, "u.npy"));
            var a = NpyFile.Read(Path.Combine(caseDir, "A.npy"));
            Assert.Equal(u.shape[1], a.shape[0]);
            Assert.True(a.lt(0).all().item<bool>(), "A is negative");
            Assert.Contains(info.Properties(), p => p.Value.Type == Newtonsoft.Json.Linq.JTokenType.Integer && (long)p.Value == u.shape[^1]);
        }
    }

    private static string WriteRaw(string header, byte[] data, byte major = 1)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "raw.npy");
        var h = Encoding.ASCII.GetBytes(header);
        using var f = File.Create(path);
        f.Write([0x93, .. "NUMPY"u8.ToArray(), major, 0]);
        if (major == 1) { var l = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(l, (ushort)h.Length); f.Write(l); }
        else { var l = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(l, (uint)h.Length); f.Write(l); }
        f.Write(h);
        f.Write(data);
        return path;
    }

    [Fact]
    public void ReadsAHandWrittenVersion2File()
    {
        var data = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(data, 0.5);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8), -4);
        var path = WriteRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }\n", data, major: 2);
        var t = NpyFile.Read(path);
        Assert.Equal([2L, 1], t.shape);
        Assert.Equal(new[] { 0.5, -4 }, t.data<double>().ToArray());
    }

    [Fact]
    public void ReadsFortranOrderIntoTheSameLogicalArray()
    {
        // Column-major (2, 3): memory holds a[0,0], a[1,0], a[0,1], a[1,1], a[0,2], a[1,2].
        var data = new byte[24];
        float[] columnMajor = [0, 10, 1, 11, 2, 12];
        for (var i = 0; i < 6; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), columnMajor[i]);
        var t = NpyFile.Read(WriteRaw("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", data));
        Assert.Equal([2L, 3], t.shape);
        Assert.True(t.is_contiguous());
        Assert.Equal(new float[] { 0, 1, 2, 10, 11, 12 }, t.data<float>().ToArray());
    }

    [Theory]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", "'>f4' is not supported")]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "'<c8' is not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", "expected 12")]
    public void UnsupportedOrBrokenFilesAreClearErrors(string header, string expected)
    {
        var path = WriteRaw(header + "\n", new byte[8]);
        var error = Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }
}
